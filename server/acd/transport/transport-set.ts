import type { Logger } from 'pino';
import type { Flow, SipTransport, TransportHandler, TransportProtocol } from './flow';
import { StreamTransport } from './stream-transport';
import { UdpTransport } from './udp-transport';
import { WsTransport } from './ws-transport';

/** Which transports listen, and where. A port left out (undefined/null) is not opened; 0 picks a free one. */
export interface TransportsConfig {
  host: string;
  wsPort?: number | null;
  udpPort?: number | null;
  tcpPort?: number | null;
  /** TLS and WSS listen only when `tls` is given. */
  tlsPort?: number | null;
  wssPort?: number | null;
  tls?: { cert: string | Buffer; key: string | Buffer } | null;
  /** Outbound TLS (trunks): trust anchors, and whether the peer certificate is checked. */
  tlsClient?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /** Idle timeout of TCP/TLS connections. */
  streamIdleMs?: number;
}

/**
 * Every listening transport of the ACD behind one handler, so signalling is
 * transport-neutral: it gets a `Flow` with each message and answers on it.
 */
export class TransportSet {
  private readonly list: SipTransport[] = [];

  constructor(cfg: TransportsConfig, handler: TransportHandler, log: Logger) {
    const h = cfg.host;
    if (cfg.wsPort != null) this.list.push(new WsTransport({ host: h, port: cfg.wsPort }, handler, log.child({ module: 'sip-ws' })));
    if (cfg.udpPort != null) this.list.push(new UdpTransport({ host: h, port: cfg.udpPort }, handler, log.child({ module: 'sip-udp' })));
    if (cfg.tcpPort != null) this.list.push(new StreamTransport({ host: h, port: cfg.tcpPort, idleTimeoutMs: cfg.streamIdleMs }, handler, log.child({ module: 'sip-tcp' })));
    if (cfg.tls && cfg.tlsPort != null) {
      this.list.push(new StreamTransport({ host: h, port: cfg.tlsPort, tls: cfg.tls, tlsClient: cfg.tlsClient, idleTimeoutMs: cfg.streamIdleMs }, handler, log.child({ module: 'sip-tls' })));
    }
    if (cfg.tls && cfg.wssPort != null) this.list.push(new WsTransport({ host: h, port: cfg.wssPort, tls: cfg.tls }, handler, log.child({ module: 'sip-wss' })));
  }

  all(): readonly SipTransport[] {
    return this.list;
  }

  get(protocol: TransportProtocol): SipTransport | undefined {
    return this.list.find((t) => t.protocol === protocol);
  }

  /** The bound port of a transport, or null when it is not listening. */
  port(protocol: TransportProtocol): number | null {
    return this.get(protocol)?.port ?? null;
  }

  async start(): Promise<void> {
    try {
      for (const t of this.list) await t.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.list.map((t) => t.stop()));
  }

  /** A flow towards host:port over a transport (see `SipTransport.connect`). */
  async connect(protocol: TransportProtocol, host: string, port: number): Promise<Flow> {
    const t = this.get(protocol);
    if (!t) throw new Error(`transport ${protocol} is not configured`);
    return t.connect(host, port);
  }

  /** A UDP flow at once (no handshake), or null when UDP is not listening. */
  udpFlow(host: string, port: number): Flow | null {
    const t = this.get('UDP');
    return t instanceof UdpTransport ? t.flowFor(host, port) : null;
  }
}
