import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { randomToken } from '../sip/builders';
import type { SipMessage } from '../sip/message';
import { parseMessage } from '../sip/parser';
import { serialize } from '../sip/serializer';
import type { Flow, SipTransport, TransportHandler } from './flow';
import { StreamFramer } from './stream-framer';
import { stampResult } from './via-stamp';

export interface StreamTransportOptions {
  host: string;
  port: number;
  /** When given, the transport is TLS (RFC 3261 §26.2): PEM certificate chain and key. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Outbound TLS: trust anchors and whether to verify the peer (default: verify). */
  tlsClient?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /** A connection with no traffic either way for this long is closed (default 15 min). */
  idleTimeoutMs?: number;
  /** Outbound connect attempts fail after this (default 5 s). */
  connectTimeoutMs?: number;
}

/**
 * SIP over TCP or TLS (RFC 3261 §18.3). Each connection — accepted or opened by
 * `connect` — is a flow; messages are framed by Content-Length with bounded buffers; a
 * framing error or an idle connection closes the flow, and the close is reported once.
 */
export class StreamTransport implements SipTransport {
  readonly protocol: 'TCP' | 'TLS';
  private server: net.Server | null = null;
  private readonly flows = new Map<string, StreamFlow>();
  private boundPort = 0;

  constructor(
    private readonly opts: StreamTransportOptions,
    private readonly handler: TransportHandler,
    private readonly log: Logger,
  ) {
    this.protocol = opts.tls ? 'TLS' : 'TCP';
  }

  get port(): number {
    return this.boundPort || this.opts.port;
  }

  async start(): Promise<void> {
    const onSocket = (s: net.Socket) => this.adopt(s);
    const server = this.opts.tls ? tls.createServer({ cert: this.opts.tls.cert, key: this.opts.tls.key, minVersion: 'TLSv1.2' }, onSocket) : net.createServer(onSocket);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.log.error({ err }, `${this.protocol} server error`));
    // a failed TLS handshake never becomes a flow; log it and move on
    server.on('tlsClientError', (err: Error) => this.log.warn({ err: err.message }, 'TLS handshake failed'));
    this.server = server;
    const addr = server.address();
    this.boundPort = addr && typeof addr === 'object' ? addr.port : this.opts.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const f of [...this.flows.values()]) f.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async connect(host: string, port: number): Promise<Flow> {
    if (!this.server) throw new Error(`${this.protocol} transport not started`);
    for (const f of this.flows.values()) if (!f.closed && f.remoteAddress === host && f.remotePort === port) return f;
    const timeoutMs = this.opts.connectTimeoutMs ?? 5000;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = this.opts.tls
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ca: this.opts.tlsClient?.ca, rejectUnauthorized: this.opts.tlsClient?.rejectUnauthorized ?? true })
        : net.connect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      s.once(this.opts.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    return this.adopt(socket);
  }

  private adopt(socket: net.Socket): StreamFlow {
    const remoteAddress = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const flow = new StreamFlow(`${this.protocol.toLowerCase()}-${randomToken(6)}`, this.protocol, remoteAddress, socket.remotePort ?? 0, this.port, socket, this.log, this.handler);
    this.flows.set(flow.id, flow);
    const log = this.log.child({ flowId: flow.id });
    log.debug({ remote: `${remoteAddress}:${flow.remotePort}` }, 'flow open');
    const framer = new StreamFramer();
    socket.setNoDelay(true);
    socket.setTimeout(this.opts.idleTimeoutMs ?? 15 * 60_000, () => {
      log.info('idle connection closed');
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      for (const ev of framer.push(chunk)) {
        if (ev.kind === 'ping') {
          socket.write('\r\n');
        } else if (ev.kind === 'error') {
          log.warn({ reason: ev.reason }, 'stream framing error; connection closed');
          socket.destroy();
          return;
        } else {
          const result = parseMessage(ev.data, { datagram: false });
          stampResult(result, remoteAddress, flow.remotePort);
          try {
            this.handler.onMessage(result, flow);
          } catch (err) {
            log.error({ err }, 'message handler threw');
          }
        }
      }
    });
    socket.on('error', (err) => log.debug({ err: err.message }, 'stream socket error'));
    socket.on('close', () => {
      if (flow.closed) return;
      flow.markClosed();
      this.flows.delete(flow.id);
      log.debug('flow closed');
      try {
        this.handler.onFlowClosed(flow);
      } catch (err) {
        log.error({ err }, 'flow-closed handler threw');
      }
    });
    return flow;
  }
}

class StreamFlow implements Flow {
  readonly reliable = true;
  private isClosed = false;

  constructor(
    readonly id: string,
    readonly transport: 'TCP' | 'TLS',
    readonly remoteAddress: string,
    readonly remotePort: number,
    readonly localPort: number,
    private readonly socket: net.Socket,
    private readonly log: Logger,
    private readonly handler: Pick<TransportHandler, 'onSent'>,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  send(msg: SipMessage): boolean {
    if (this.isClosed || this.socket.destroyed || !this.socket.writable) {
      this.log.warn({ flowId: this.id, what: msg.kind === 'request' ? msg.method : msg.status }, 'send on closed flow dropped');
      return false;
    }
    this.socket.write(serialize(msg));
    this.handler.onSent?.(msg);
    return true;
  }

  close(): void {
    if (!this.isClosed) this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  markClosed(): void {
    this.isClosed = true;
  }
}
