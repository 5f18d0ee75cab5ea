import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP relay on loopback in front of a real server (PostgreSQL in the health tests), to break
 * the network between a client and it the ways networks break: `stall()` keeps every connection
 * open and silently drops what crosses it (a firewall dropping packets, a cable pulled);
 * `refuse()` resets every connection and refuses new ones (the server host went down); `heal()`
 * forwards again.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private mode: 'forward' | 'stall' | 'refuse' = 'forward';
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  stall(): void {
    this.mode = 'stall';
  }

  refuse(): void {
    this.mode = 'refuse';
    for (const [a, b] of this.pairs) {
      a.resetAndDestroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  heal(): void {
    this.mode = 'forward';
  }

  async stop(): Promise<void> {
    this.refuse();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private accept(client: net.Socket): void {
    if (this.mode === 'refuse') return void client.resetAndDestroy();
    const upstream = net.connect(this.targetPort, this.targetHost);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.pairs.add(pair);
    const relay = (from: net.Socket, to: net.Socket) =>
      from.on('data', (buf) => {
        if (this.mode === 'forward') to.write(buf);
      });
    relay(client, upstream);
    relay(upstream, client);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }
}
