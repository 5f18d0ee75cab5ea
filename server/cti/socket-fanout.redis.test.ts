import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { until } from '../test-support/until';
import { attachSocketFanout, type SocketFanout } from './socket-fanout';

/** Two socket.io servers (two CTI nodes) on the machine's Redis: a room's emit on one reaches a client of the other. */
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function node(prefix: string, fanout: boolean): Promise<{ io: Server; url: string }> {
  const http: HttpServer = createServer();
  const io = new Server(http);
  let f: SocketFanout | null = null;
  if (fanout) f = await attachSocketFanout(io, { url: 'redis://127.0.0.1:6379', prefix, logger: createLogger('silent') });
  io.on('connection', (s) => void s.join(`operator:${String(s.handshake.auth.id)}`));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  cleanup.push(async () => {
    io.close();
    await f?.close();
  });
  return { io, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

function client(url: string, id: string): Socket {
  const s = connect(url, { auth: { id }, transports: ['websocket'] });
  cleanup.push(() => void s.close());
  return s;
}

describe('socket.io fan-out through Redis', () => {
  for (const fanout of [true, false]) {
    it(fanout ? 'an emit to an operator’s room on node A reaches their console on node B' : 'without the adapter it does not (the test can fail)', async () => {
      const prefix = `pbtest:${randomUUID()}:`;
      const a = await node(prefix, fanout);
      const b = await node(prefix, fanout);
      const got: string[] = [];
      const onB = client(b.url, 'op1');
      onB.on('agent:state', (v: { state: string }) => got.push(v.state));
      await until(() => onB.connected, 5000, 'console connected to B');
      await new Promise((r) => setTimeout(r, 100)); // the room's subscription reaches Redis
      a.io.to('operator:op1').emit('agent:state', { state: 'reserved' });
      a.io.to('operator:nobody').emit('agent:state', { state: 'wrong room' });
      await new Promise((r) => setTimeout(r, 500));
      expect(got).toEqual(fanout ? ['reserved'] : []);
    });
  }
});
