import dgram from 'node:dgram';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { SipMessage } from '../sip/message';
import { parseMessage } from '../sip/parser';
import { serialize } from '../sip/serializer';
import type { Flow, SipTransport, TransportHandler } from './flow';
import { isStun, stunBindingResponse } from './stun-keepalive';
import { responseTarget, stampResult } from './via-stamp';

export interface UdpTransportOptions {
  host: string;
  port: number;
  /** Flows not used for this long are forgotten by the index (bindings keep theirs alive). */
  flowIdleMs?: number;
  /** Upper bound on indexed flows: a spoofed-source flood cannot grow memory without bound. */
  maxFlows?: number;
}

/**
 * SIP over UDP (RFC 3261 §18): one datagram is one message. A flow is a 5-tuple; it
 * never "closes" (UDP has no connection), so `onFlowClosed` is never reported. Retransmission
 * is the transaction layer's job (`flow.reliable === false`).
 */
export class UdpTransport implements SipTransport {
  readonly protocol = 'UDP' as const;
  private socket: dgram.Socket | null = null;
  private readonly flows = new Map<string, UdpFlow>();
  private sweeper: NodeJS.Timeout | null = null;
  private boundPort = 0;

  constructor(
    private readonly opts: UdpTransportOptions,
    private readonly handler: TransportHandler,
    private readonly log: Logger,
  ) {}

  get port(): number {
    return this.boundPort || this.opts.port;
  }

  async start(): Promise<void> {
    const family = isIP(this.opts.host) === 6 ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({ type: family, reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.opts.port, this.opts.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', (err) => this.log.warn({ err }, 'udp socket error'));
    socket.on('message', (buf, rinfo) => this.receive(buf, rinfo.address, rinfo.port));
    this.socket = socket;
    this.boundPort = socket.address().port;
    const idle = this.opts.flowIdleMs ?? 5 * 60_000;
    this.sweeper = setInterval(() => this.sweep(idle), Math.min(idle, 60_000));
    this.sweeper.unref();
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    if (this.sweeper) clearInterval(this.sweeper);
    for (const f of this.flows.values()) f.markClosed();
    this.flows.clear();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  async connect(host: string, port: number): Promise<Flow> {
    if (!this.socket) throw new Error('udp transport not started');
    return this.flowFor(host, port);
  }

  /** The flow towards host:port (made when absent). Synchronous: UDP needs no handshake. */
  flowFor(host: string, port: number): UdpFlow {
    const key = `${host}:${port}`;
    let f = this.flows.get(key);
    if (!f || f.closed) {
      if (this.flows.size >= (this.opts.maxFlows ?? 100_000)) this.sweep(0);
      f = new UdpFlow(`udp-${host}:${port}`, host, port, this.boundPort, (data, h, p) => this.write(data, h, p), this.log, this.handler);
      this.flows.set(key, f);
    }
    f.lastUsed = Date.now();
    return f;
  }

  private receive(buf: Buffer, address: string, port: number): void {
    // RFC 5626 §4.4.2 keep-alives over UDP are STUN Binding requests; a bare CRLF (some phones send one) is ignored
    if (buf.length <= 4 && /^[\r\n]*$/.test(buf.toString('latin1'))) return;
    if (isStun(buf)) {
      const res = stunBindingResponse(buf, address, port);
      if (res) this.socket?.send(res, port, address);
      return;
    }
    const flow = this.flowFor(address, port);
    const result = parseMessage(buf);
    stampResult(result, address, port);
    try {
      this.handler.onMessage(result, flow);
    } catch (err) {
      this.log.error({ err, flowId: flow.id }, 'message handler threw');
    }
  }

  private write(data: string, host: string, port: number): boolean {
    const socket = this.socket;
    if (!socket) return false;
    socket.send(data, port, host, (err) => {
      if (err) this.log.warn({ err, host, port }, 'udp send failed');
    });
    return true;
  }

  private sweep(idleMs: number): void {
    const limit = Date.now() - idleMs;
    for (const [k, f] of this.flows) if (f.lastUsed <= limit) this.flows.delete(k);
  }
}

export class UdpFlow implements Flow {
  readonly transport = 'UDP' as const;
  readonly reliable = false;
  lastUsed = Date.now();
  private isClosed = false;

  constructor(
    readonly id: string,
    readonly remoteAddress: string,
    readonly remotePort: number,
    readonly localPort: number,
    private readonly write: (data: string, host: string, port: number) => boolean,
    private readonly log: Logger,
    private readonly handler?: Pick<TransportHandler, 'onSent'>,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  send(msg: SipMessage): boolean {
    if (this.isClosed) return false;
    this.lastUsed = Date.now();
    // responses follow the Via (§18.2.2); requests go to the flow's peer
    const target = responseTarget(msg) ?? { host: this.remoteAddress, port: this.remotePort };
    if (msg.kind === 'response' && (target.host !== this.remoteAddress || target.port !== this.remotePort)) {
      this.log.debug({ flowId: this.id, to: `${target.host}:${target.port}` }, 'response sent to the Via address');
    }
    try {
      const sent = this.write(serialize(msg), target.host, target.port);
      if (sent) this.handler?.onSent?.(msg);
      return sent;
    } catch (err) {
      this.log.warn({ err, flowId: this.id }, 'udp send refused');
      return false;
    }
  }

  /** A UDP flow has nothing to close; it stops sending only when the transport stops. */
  close(): void {}

  markClosed(): void {
    this.isClosed = true;
  }
}
