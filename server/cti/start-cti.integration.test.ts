import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { afterAll, describe, expect, it } from 'vitest';
import type { Acd } from '../acd/acd';
import { openDatabase, type Database } from '../db/database';
import { createLogger } from '../log';
import type { ClientEvents, ServerEvents } from '../contracts/socket-events';
import { startCti, type RunningCti } from './start-cti';
import { DOMAIN, SECRET, startAcd } from './test-support/acd-harness';

const logger = createLogger('silent');
let db: Database | null = null;
let acd: Acd | null = null;
let running: RunningCti | null = null;
const http = createServer();
const io = new Server<ClientEvents, ServerEvents>(http);

afterAll(async () => {
  await running?.stop();
  await running?.stop();
  await new Promise<void>((r) => io.close(() => r()));
  await acd?.stop();
  await db?.close();
}, 15_000);

describe('startCti', () => {
  it('composes store, bank, service and sockets, and registers the bank with the ACD', async () => {
    db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
    const started = await startAcd(logger);
    acd = started.acd;
    running = await startCti({
      config: { host: '127.0.0.1', publicHost: '127.0.0.1', sipWsPort: acd.port, sipUdpPort: null, sipTcpPort: null, sipDomain: DOMAIN, secret: SECRET, bankSize: 2, deviceCredTtlSec: 600 },
      prisma: db.prisma,
      io,
      sessions: { resolve: async () => null },
      logger,
    });
    expect(running.bank.isReady()).toBe(true);
    expect(running.cti.adminSnapshot()).toEqual({ agents: [], calls: [] });
  }, 60_000);
});
