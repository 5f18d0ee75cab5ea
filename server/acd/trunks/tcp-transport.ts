import net from 'node:net';
import type { Logger } from 'pino';
import { randomToken } from '../sip/builders';
import { formatVia, parseVia } from '../sip/headers';
import type { SipHeaders, SipMessage } from '../sip/message';
import { parseMessage } from '../sip/parser';
import { serialize } from '../sip/serializer';
import type { Flow, TransportHandler } from '../transport/flow';

/**
 * SIP over TCP (RFC 3261 §18) for trunks, until the `transports` branch's general transport
 * replaces it: a listener for carriers that connect to us, and outgoing connections to a
 * carrier's host:port, reused while open (one flow per carrier address). Stream framing by
 * Content-Length (§18.3); a message without one, or larger than 64 KiB, closes the
 * connection (the stream cannot be re-synchronised). It MUST NOT interpret SIP beyond that.
 */
const MAX_MESSAGE = 64 * 1024;

export class TcpTransport {
  private server: net.Server | null = null;
  private readonly flows = new Set<TcpFlow>();
  private readonly outgoing = new Map<string, Promise<TcpFlow>>();

  constructor(
    private readonly opts: { host: string; port: number },
    private readonly handler: TransportHandler,
    private readonly log: Logger,
  ) {}

  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : this.opts.port;
  }

  async start(): Promise<void> {
    const srv = net.createServer((sock) => this.adopt(sock));
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(this.opts.port, this.opts.host, () => resolve());
    });
    srv.on('error', (err) => this.log.error({ err }, 'tcp server error'));
    this.server = srv;
  }

  /** An open flow to host:port, connecting when there is none. */
  connect(host: string, port: number, timeoutMs = 5000): Promise<Flow> {
    const key = `${host}:${port}`;
    const existing = this.outgoing.get(key);
    if (existing) return existing.then((f) => (f.closed ? this.dropAndConnect(key, host, port, timeoutMs) : f));
    return this.dropAndConnect(key, host, port, timeoutMs);
  }

  private dropAndConnect(key: string, host: string, port: number, timeoutMs: number): Promise<TcpFlow> {
    const p = new Promise<TcpFlow>((resolve, reject) => {
      const sock = net.connect({ host, port });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`tcp connect to ${key} timed out`));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve(this.adopt(sock));
      });
      sock.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    this.outgoing.set(key, p);
    p.catch(() => this.outgoing.delete(key));
    return p;
  }

  private adopt(sock: net.Socket): TcpFlow {
    const flow = new TcpFlow(`tcp-${randomToken(6)}`, sock.remoteAddress ?? '', sock.remotePort ?? 0, sock, this.log);
    this.flows.add(flow);
    const log = this.log.child({ flowId: flow.id });
    log.debug({ remote: `${flow.remoteAddress}:${flow.remotePort}` }, 'tcp flow open');
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        // CRLF keep-alives between messages (RFC 5626 §4.4.1): a double CRLF gets one back
        let skip = 0;
        while (skip < buf.length && (buf[skip] === 13 || buf[skip] === 10)) skip++;
        if (skip > 0) {
          if (buf.subarray(0, skip).toString() === '\r\n\r\n') sock.write('\r\n');
          buf = buf.subarray(skip);
        }
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buf.length > MAX_MESSAGE) return this.abort(flow, 'header too large');
          return;
        }
        const head = buf.subarray(0, end).toString('utf8');
        const cl = /^(?:content-length|l)[ \t]*:[ \t]*(\d{1,6})[ \t]*$/im.exec(head);
        if (!cl) return this.abort(flow, 'message without Content-Length on a stream');
        const total = end + 4 + Number(cl[1]);
        if (total > MAX_MESSAGE) return this.abort(flow, 'message too large');
        if (buf.length < total) return;
        const raw = buf.subarray(0, total);
        buf = buf.subarray(total);
        const result = parseMessage(raw);
        if (result.ok && result.message.kind === 'request') stampVia(result.message.headers, flow);
        if (!result.ok && result.request) stampVia(result.request.headers, flow);
        try {
          this.handler.onMessage(result, flow);
        } catch (err) {
          log.error({ err }, 'message handler threw');
        }
      }
    });
    sock.on('close', () => {
      flow.markClosed();
      this.flows.delete(flow);
      log.debug('tcp flow closed');
      try {
        this.handler.onFlowClosed(flow);
      } catch (err) {
        log.error({ err }, 'flow-closed handler threw');
      }
    });
    sock.on('error', (err) => log.debug({ err }, 'tcp socket error'));
    return flow;
  }

  private abort(flow: TcpFlow, why: string): void {
    this.log.warn({ flowId: flow.id, why }, 'tcp stream unreadable; closing it');
    flow.destroy();
  }

  async stop(): Promise<void> {
    for (const f of this.flows) f.destroy();
    this.flows.clear();
    this.outgoing.clear();
    const srv = this.server;
    this.server = null;
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
  }
}

function stampVia(headers: SipHeaders, flow: Flow): void {
  const top = headers.get('Via');
  const via = top ? parseVia(top) : null;
  if (!via) return;
  if (via.host !== flow.remoteAddress) via.params.set('received', flow.remoteAddress);
  if (via.params.has('rport')) via.params.set('rport', String(flow.remotePort));
  headers.replaceFirst('Via', formatVia(via));
}

class TcpFlow implements Flow {
  readonly transport = 'TCP';
  private isClosed = false;

  constructor(
    readonly id: string,
    readonly remoteAddress: string,
    readonly remotePort: number,
    private readonly sock: net.Socket,
    private readonly log: Logger,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  send(msg: SipMessage): boolean {
    if (this.isClosed || this.sock.destroyed) {
      this.log.warn({ flowId: this.id, what: msg.kind === 'request' ? msg.method : msg.status }, 'send on closed flow dropped');
      return false;
    }
    this.sock.write(serialize(msg));
    return true;
  }

  close(): void {
    this.sock.end();
  }

  destroy(): void {
    this.sock.destroy();
  }

  markClosed(): void {
    this.isClosed = true;
  }
}
