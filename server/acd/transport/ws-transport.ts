import https from 'node:https';
import { WebSocketServer, type WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { randomToken } from '../sip/builders';
import type { SipMessage } from '../sip/message';
import { parseMessage } from '../sip/parser';
import { serialize } from '../sip/serializer';
import type { Flow, SipTransport, TransportHandler } from './flow';
import { stampResult } from './via-stamp';

/**
 * SIP over WebSocket (RFC 7118), or over secure WebSocket (WSS) when a certificate is
 * given. Each connection is a flow; one text or binary frame is one SIP message. The transport stamps `received`/`rport` on the top Via of requests,
 * answers CRLF keep-alives, and reports closes. It MUST NOT interpret SIP beyond that.
 */
export class WsTransport implements SipTransport {
  private server: WebSocketServer | null = null;
  private https: https.Server | null = null;
  private readonly flows = new Map<string, WsFlow>();

  constructor(
    private readonly opts: { host: string; port: number; tls?: { cert: string | Buffer; key: string | Buffer } },
    private readonly handler: TransportHandler,
    private readonly log: Logger,
  ) {}

  get port(): number {
    const addr = this.https ? this.https.address() : this.server?.address();
    return addr && typeof addr === 'object' ? addr.port : this.opts.port;
  }

  get protocol(): 'WS' | 'WSS' {
    return this.opts.tls ? 'WSS' : 'WS';
  }

  async start(): Promise<void> {
    const common = { maxPayload: 64 * 1024, handleProtocols: (protocols: Set<string>) => (protocols.has('sip') ? 'sip' : false) };
    if (this.opts.tls) {
      const server = https.createServer({ cert: this.opts.tls.cert, key: this.opts.tls.key, minVersion: 'TLSv1.2' });
      const wss = new WebSocketServer({ ...common, server });
      wss.on('connection', (ws, req) => this.accept(ws, req));
      this.server = wss;
      this.https = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.opts.port, this.opts.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('tlsClientError', (err: Error) => this.log.warn({ err: err.message }, 'WSS handshake failed'));
    } else {
      await new Promise<void>((resolve, reject) => {
        const wss = new WebSocketServer({ ...common, host: this.opts.host, port: this.opts.port });
        wss.once('listening', () => resolve());
        wss.once('error', reject);
        wss.on('connection', (ws, req) => this.accept(ws, req));
        this.server = wss;
      });
    }
    this.server?.on('error', (err) => this.log.error({ err }, 'websocket server error'));
  }

  /** A browser or JsSIP cannot be dialled: only a connection the peer opened is reused. */
  async connect(host: string, port: number): Promise<Flow> {
    for (const f of this.flows.values()) if (!f.closed && f.remoteAddress === host && f.remotePort === port) return f;
    throw new Error(`no ${this.protocol} connection from ${host}:${port} to reuse`);
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    if (ws.protocol !== 'sip') {
      this.log.warn({ remote: req.socket.remoteAddress }, 'websocket without the sip subprotocol refused');
      ws.close(1002, 'sip subprotocol required');
      return;
    }
    const remote = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const flow = new WsFlow(`${this.protocol.toLowerCase()}-${randomToken(6)}`, this.protocol, remote, req.socket.remotePort ?? 0, this.port, ws, this.log, this.handler);
    this.flows.set(flow.id, flow);
    const log = this.log.child({ flowId: flow.id });
    log.debug({ remote: `${flow.remoteAddress}:${flow.remotePort}` }, 'flow open');
    ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      const text = buf.toString('utf8');
      // RFC 5626 §4.4.1 CRLF keep-alive: answer a double CRLF with a single one
      if (/^[\r\n]+$/.test(text)) {
        if (text === '\r\n\r\n') ws.send('\r\n');
        return;
      }
      const result = parseMessage(isBinary ? buf : text);
      stampResult(result, flow.remoteAddress, flow.remotePort);
      try {
        this.handler.onMessage(result, flow);
      } catch (err) {
        log.error({ err }, 'message handler threw');
      }
    });
    ws.on('close', () => {
      flow.markClosed();
      this.flows.delete(flow.id);
      log.debug('flow closed');
      try {
        this.handler.onFlowClosed(flow);
      } catch (err) {
        log.error({ err }, 'flow-closed handler threw');
      }
    });
    ws.on('error', (err) => log.warn({ err }, 'websocket error'));
  }

  async stop(): Promise<void> {
    const wss = this.server;
    if (!wss) return;
    this.server = null;
    for (const f of this.flows.values()) f.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    const server = this.https;
    this.https = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

class WsFlow implements Flow {
  readonly reliable = true;
  private isClosed = false;

  constructor(
    readonly id: string,
    readonly transport: 'WS' | 'WSS',
    readonly remoteAddress: string,
    readonly remotePort: number,
    readonly localPort: number,
    private readonly ws: WebSocket,
    private readonly log: Logger,
    private readonly handler: Pick<TransportHandler, 'onSent'>,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  send(msg: SipMessage): boolean {
    if (this.isClosed || this.ws.readyState !== this.ws.OPEN) {
      this.log.warn({ flowId: this.id, what: msg.kind === 'request' ? msg.method : msg.status }, 'send on closed flow dropped');
      return false;
    }
    this.ws.send(serialize(msg));
    this.handler.onSent?.(msg);
    return true;
  }

  close(): void {
    if (!this.isClosed) this.ws.close(1000);
  }

  terminate(): void {
    this.ws.terminate();
  }

  markClosed(): void {
    this.isClosed = true;
  }
}
