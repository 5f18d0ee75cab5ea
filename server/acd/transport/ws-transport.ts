import { WebSocketServer, type WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { randomToken } from '../sip/builders';
import { formatVia, parseVia } from '../sip/headers';
import type { SipMessage } from '../sip/message';
import { parseMessage } from '../sip/parser';
import { serialize } from '../sip/serializer';
import type { Flow, TransportHandler } from './flow';

/**
 * SIP over WebSocket (RFC 7118). Each connection is a flow; one text or binary frame is
 * one SIP message. The transport stamps `received`/`rport` on the top Via of requests,
 * answers CRLF keep-alives, and reports closes. It MUST NOT interpret SIP beyond that.
 */
export class WsTransport {
  private server: WebSocketServer | null = null;
  private readonly flows = new Map<string, WsFlow>();

  constructor(
    private readonly opts: { host: string; port: number; secure?: boolean },
    private readonly handler: TransportHandler,
    private readonly log: Logger,
  ) {}

  get port(): number {
    const addr = this.server?.address();
    return addr && typeof addr === 'object' ? addr.port : this.opts.port;
  }

  get viaTransport(): string {
    return this.opts.secure ? 'WSS' : 'WS';
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const wss = new WebSocketServer({
        host: this.opts.host,
        port: this.opts.port,
        maxPayload: 64 * 1024,
        handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
      });
      wss.once('listening', () => resolve());
      wss.once('error', reject);
      wss.on('connection', (ws, req) => this.accept(ws, req));
      this.server = wss;
    });
    this.server?.on('error', (err) => this.log.error({ err }, 'websocket server error'));
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    if (ws.protocol !== 'sip') {
      this.log.warn({ remote: req.socket.remoteAddress }, 'websocket without the sip subprotocol refused');
      ws.close(1002, 'sip subprotocol required');
      return;
    }
    const flow = new WsFlow(`ws-${randomToken(6)}`, this.viaTransport, req.socket.remoteAddress ?? '', req.socket.remotePort ?? 0, ws, this.log);
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
      if (result.ok && result.message.kind === 'request') stampVia(result.message.headers, flow);
      if (!result.ok && result.request) stampVia(result.request.headers, flow);
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
  }
}

/** RFC 3261 §18.2.1 + RFC 3581: record where the request really came from. */
function stampVia(headers: import('../sip/message').SipHeaders, flow: Flow): void {
  const top = headers.get('Via');
  const via = top ? parseVia(top) : null;
  if (!via) return;
  if (via.host !== flow.remoteAddress) via.params.set('received', flow.remoteAddress);
  if (via.params.has('rport')) via.params.set('rport', String(flow.remotePort));
  headers.replaceFirst('Via', formatVia(via));
}

class WsFlow implements Flow {
  private isClosed = false;

  constructor(
    readonly id: string,
    readonly transport: string,
    readonly remoteAddress: string,
    readonly remotePort: number,
    private readonly ws: WebSocket,
    private readonly log: Logger,
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
