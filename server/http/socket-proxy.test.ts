import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { until } from '../test-support/until';
import { createSocketProxy, targetOrder } from './socket-proxy';

/** The web's socket.io pass-through to several CTI nodes: stickiness by session, failover when a node dies. */
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function listen(s: HttpServer): Promise<string> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

/** A CTI node stand-in: socket.io answering `whoami` with its name. */
async function node(name: string) {
  const http = createServer();
  const io = new Server(http);
  io.on('connection', (s) => s.on('whoami', (cb: (n: string) => void) => cb(name)));
  const url = await listen(http);
  const kill = () => {
    io.close(); // cuts its sockets, as a killed process's do
    http.closeAllConnections();
  };
  cleanup.push(kill);
  return { url, kill };
}

async function proxyTo(urls: string[]): Promise<string> {
  const http = createServer();
  const proxy = createSocketProxy(http, urls.map((u) => new URL(u)), createLogger('silent'));
  http.on('request', (req, res) => {
    if (!proxy.request(req, res)) res.writeHead(404).end();
  });
  const url = await listen(http);
  cleanup.push(() => {
    proxy.close();
    http.closeAllConnections();
    http.close();
  });
  return url;
}

/** A session cookie whose first node is `want` of `n`. */
function cookieFor(want: number, n: number): string {
  for (let i = 0; ; i++) if (targetOrder(`pb_session=s${i}`, n)[0] === want) return `pb_session=s${i}`;
}

const whoami = (s: Socket) => s.timeout(3000).emitWithAck('whoami') as Promise<string>;

describe('socket.io pass-through to several CTI nodes', () => {
  it('spreads sessions over the nodes and keeps each to its own', () => {
    const firsts = Array.from({ length: 400 }, (_, i) => targetOrder(`a=1; pb_session=sess-${i}`, 2)[0]);
    const onA = firsts.filter((f) => f === 0).length;
    expect(onA).toBeGreaterThan(150);
    expect(onA).toBeLessThan(250);
    expect(targetOrder('pb_session=x', 2)).toEqual(targetOrder('pb_session=x', 2));
    expect(new Set(targetOrder('pb_session=x', 3))).toEqual(new Set([0, 1, 2]));
  });

  for (const transport of ['websocket', 'polling'] as const) {
    it(`${transport}: a console goes to its node; when that node dies its reconnect lands on the other`, { timeout: 20_000 }, async () => {
      const a = await node('a');
      const b = await node('b');
      const web = await proxyTo([a.url, b.url]);
      const s = connect(web, { transports: [transport], extraHeaders: { cookie: cookieFor(0, 2) }, reconnectionDelay: 100, reconnectionDelayMax: 300 });
      cleanup.push(() => void s.close());
      await until(() => s.connected, 5000, 'connected through the web');
      expect(await whoami(s)).toBe('a');
      let dropped = false;
      s.once('disconnect', () => (dropped = true));
      a.kill();
      await until(() => dropped, 5000, 'the dead node cut the console');
      await until(() => s.connected, 8000, 'reconnected');
      expect(await whoami(s)).toBe('b');
    });
  }
});
