import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import type { Logger } from '../log';

export interface SocketFanout {
  /** Closes the adapter's two Redis connections. Safe twice. */
  close(): Promise<void>;
}

/**
 * socket.io's Redis adapter (@socket.io/redis-adapter) on the CTI's server, for several CTI
 * nodes: an emit to a room on one node reaches the room's sockets on every node (an admin on
 * node B sees node A's calls; a deactivation on A closes the person's sockets on B). Two
 * connections, as the adapter wants: one publishes, one subscribes. The channel is under the
 * site's key prefix, so one Redis serves several sites or tests.
 */
export async function attachSocketFanout(io: Server, o: { url: string; prefix: string; logger: Logger }): Promise<SocketFanout> {
  const log = o.logger.child({ module: 'socket-fanout' });
  const pub = new Redis(o.url, { lazyConnect: true });
  const sub = pub.duplicate();
  for (const c of [pub, sub]) c.on('error', (err: Error) => log.warn({ err: err.message }, 'socket.io redis connection error'));
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub, { key: `${o.prefix}socket.io` }));
  log.info('socket.io fan-out through redis');
  let closing: Promise<void> | null = null;
  return {
    close: () =>
      (closing ??= (async () => {
        await Promise.allSettled([pub.quit(), sub.quit()]);
      })()),
  };
}
