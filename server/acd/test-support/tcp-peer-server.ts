import net from 'node:net';
import { SipWsClient } from './sip-ws-client';

/**
 * A carrier in tests: a SIP/TCP listener on loopback that hands each accepted connection to a
 * raw SIP client, and counts every connection and byte so a test can prove nothing reached it.
 */
export class TcpPeerServer {
  private server: net.Server | null = null;
  private readonly accepted: SipWsClient[] = [];
  private readonly waiters: Array<(c: SipWsClient) => void> = [];
  private readonly sockets = new Set<net.Socket>();
  connections = 0;
  bytes = 0;

  constructor(private readonly name = 'carrier') {}

  async start(): Promise<number> {
    const srv = net.createServer((sock) => {
      this.connections += 1;
      this.sockets.add(sock);
      sock.on('data', (d: Buffer) => {
        this.bytes += d.length;
      });
      sock.on('close', () => this.sockets.delete(sock));
      const c = SipWsClient.fromSocket(sock, this.name);
      const w = this.waiters.shift();
      if (w) w(c);
      else this.accepted.push(c);
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
    this.server = srv;
    return this.port;
  }

  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  /** The next connection from the ACD. */
  next(timeoutMs = 3000): Promise<SipWsClient> {
    const c = this.accepted.shift();
    if (c) return Promise.resolve(c);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.name}: no connection within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((x) => {
        clearTimeout(t);
        resolve(x);
      });
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const srv = this.server;
    this.server = null;
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
  }
}
