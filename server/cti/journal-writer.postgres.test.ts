import net from 'node:net';
import { Writable } from 'node:stream';
import pg from 'pg';
import pino from 'pino';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database';
import { PrismaClient } from '../db/generated/client';
import { DEMO, seedDemo } from '../db/seed';
import { connectPostgres, databaseUrl, PG_ADMIN_URL } from '../test-support/postgres';
import { until } from '../test-support/until';
import { Journal } from './call-journal';
import type { JournalBatch } from './ports/cti-store';
import { PrismaCtiStore } from './prisma-cti-store';

/**
 * The journal's write-behind on the machine's PostgreSQL, reached through a TCP relay the test
 * can cut (a real outage of the database connection): rows are written in few batches, each
 * call's row ends as the call ended and its events keep their order; during an outage nothing
 * throws, rows are held (up to the bound, the excess dropped and counted) and logged, and they
 * all arrive once the database is back; a stop with the database away gives up after its timeout.
 */
class Relay {
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | null = null;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    const server = net.createServer((c) => {
      const up = net.connect(this.target.port, this.target.host);
      for (const s of [c, up]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.sockets.delete(s);
          c.destroy();
          up.destroy();
        });
      }
      c.pipe(up).pipe(c);
    });
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', r));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Every connection cut, and no new one accepted until `open()`. */
  async cut(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const sock of this.sockets) sock.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}

/** A logger whose lines the test reads. */
function capturedLogger(): { logger: pino.Logger; lines: Array<{ level: number; msg: string } & Record<string, unknown>> } {
  const lines: Array<{ level: number; msg: string } & Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

describe('the journal write-behind on PostgreSQL', async () => {
  const dbName = `patchbay_journal_${process.pid}_${Date.now()}`;
  const root = await connectPostgres();
  afterAll(async () => {
    await root.query(`DROP DATABASE IF EXISTS "${dbName}"`);
    await root.end();
  });

  it('batches, keeps each call in order, survives an outage without losing a row, and bounds what it holds', { timeout: 90_000 }, async () => {
    await root.query(`CREATE DATABASE "${dbName}"`);
    const direct = await openDatabase({ databaseUrl: databaseUrl(dbName), dataDir: 'unused' });
    await seedDemo(direct.prisma, { password: 'correct horse battery' });
    const admin = new URL(PG_ADMIN_URL);
    const relay = new Relay({ host: admin.hostname, port: Number(admin.port || 5432) });
    await relay.open();
    const viaRelay = new URL(databaseUrl(dbName));
    viaRelay.port = String(relay.port);
    const pool = new pg.Pool({ connectionString: viaRelay.toString(), max: 4, connectionTimeoutMillis: 1000 });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    const batches: JournalBatch[] = [];
    class CountingStore extends PrismaCtiStore {
      override async writeJournal(b: JournalBatch) {
        await super.writeJournal(b);
        batches.push(b);
      }
    }
    const { logger, lines } = capturedLogger();
    let clock = Date.parse('2026-12-01T10:00:00.123Z');
    // the history's live update: told of the call rows once their batch committed, never before
    const stored: string[] = [];
    const seenInDb: Array<Promise<boolean>> = [];
    const onCallsStored = (rows: readonly { id: string }[]) => {
      stored.push(...rows.map((r) => r.id));
      const last = rows[rows.length - 1]!.id;
      seenInDb.push(direct.prisma.call.count({ where: { id: last } }).then((n) => n === 1));
    };
    const journal = new Journal(new CountingStore(prisma), () => clock++, logger, { intervalMs: 100, retryMs: 50, maxRetryMs: 400, maxHeldRows: 5000, onCallsStored });
    const op = DEMO.users.find((u) => u.role === 'OPERATOR')!.id;

    /** n calls, each created, updated three times and given seven events, plus four agent states per call. */
    const calls = (prefix: string, n: number) => {
      const agent = journal.agent(op);
      for (let i = 0; i < n; i++) {
        const j = journal.call(`${prefix}-${i}`, logger);
        j.created({ acdLegId: `leg-${prefix}-${i}`, dialed: DEMO.number, callerId: 'sip:carla@patchbay.local', callerNumber: null, queueId: null, arrivedAt: new Date(clock) });
        j.event('arrived', { dialed: DEMO.number });
        j.updated({ queueId: DEMO.queue.id });
        j.updated({ operatorId: op, offeredAt: new Date(clock) });
        j.event('offered', { operatorId: op });
        agent.stateChanged('ready', 'reserved', 'offer', clock);
        j.event('device-ringing');
        j.updated({ answeredAt: new Date(clock) });
        j.event('answered');
        agent.stateChanged('reserved', 'talking', 'answer', clock);
        j.event('caller-hangup', { cause: 'remote-bye' });
        j.event('device-release', { sent: true });
        j.updated({ endedAt: new Date(clock), endedBy: 'caller', outcome: 'completed' });
        j.event('ended', { endedBy: 'caller', outcome: 'completed' });
        agent.stateChanged('talking', 'wrap_up', 'hang_up', clock);
        agent.stateChanged('wrap_up', 'ready', 'wrap_up_done', clock);
      }
    };
    const check = async (prefix: string, n: number) => {
      const rows = await direct.prisma.call.findMany({ where: { id: { startsWith: `${prefix}-` } } });
      expect(rows).toHaveLength(n);
      for (const r of rows) expect(r).toMatchObject({ queueId: DEMO.queue.id, operatorId: op, endedBy: 'caller', outcome: 'completed' });
      const evs = await direct.prisma.callEvent.findMany({ where: { callId: { startsWith: `${prefix}-` } }, orderBy: { id: 'asc' } });
      expect(evs).toHaveLength(n * 7);
      const byCall = new Map<string, string[]>();
      for (const e of evs) byCall.set(e.callId, [...(byCall.get(e.callId) ?? []), `${e.seq}:${e.type}`]);
      for (const seqs of byCall.values()) expect(seqs).toEqual(['1:arrived', '2:offered', '3:device-ringing', '4:answered', '5:caller-hangup', '6:device-release', '7:ended']);
    };

    try {
      // 1. batched, ordered, exact
      const t0 = clock;
      calls('a', 300);
      expect(batches).toHaveLength(0); // nothing written while the decisions run
      await journal.flush();
      await check('a', 300);
      const rowsA = batches.reduce((n, b) => n + b.calls.length + b.events.length + b.agentStates.length, 0);
      expect(rowsA).toBe(300 + 300 * 7 + 300 * 4); // each call's row once, though it changed four times
      expect(batches.length).toBeLessThanOrEqual(2);
      const first = await direct.prisma.call.findUniqueOrThrow({ where: { id: 'a-0' } });
      expect(first.arrivedAt.getTime()).toBe(t0); // times round-trip to the millisecond
      const ev = await direct.prisma.callEvent.findFirstOrThrow({ where: { callId: 'a-0', seq: 2 } });
      expect(ev.data).toEqual({ operatorId: op });
      expect(await direct.prisma.agentStateLog.count()).toBe(1200);
      expect(new Set(stored).size).toBe(300);
      expect(stored.length).toBe(batches.reduce((n, b) => n + b.calls.length, 0)); // once per stored row, per batch
      expect(await Promise.all(seenInDb)).not.toContain(false);

      // 2. the database goes away: nothing throws, rows are held and the failure logged
      await relay.cut();
      batches.length = 0;
      calls('b', 100);
      await until(() => lines.some((l) => l.msg === 'journal write failed; rows held and retried'), 10_000, 'the failure logged');
      expect(lines.find((l) => l.msg === 'journal write failed; rows held and retried')!.level).toBe(50);
      // a stop while it is away gives up after its timeout and says how many rows it leaves
      const left = await journal.flush(300);
      expect(left).toBe(100 + 700 + 400);
      expect(stored.some((id) => id.startsWith('b-'))).toBe(false); // nothing said while nothing is stored
      expect(lines.some((l) => l.msg === 'journal rows not written before the stop: the database did not answer' && l.rows === 1200)).toBe(true);

      // 3. back: everything held arrives, in order
      await relay.open();
      await journal.flush();
      await check('b', 100);
      expect(new Set(stored.filter((id) => id.startsWith('b-'))).size).toBe(100);
      expect(lines.some((l) => l.msg === 'journal writes resumed')).toBe(true);

      // 4. a long outage: what is held stays under the bound; the oldest events go first, counted and logged
      await relay.cut();
      calls('c', 600); // 600 call rows + 4,200 events + 2,400 states > 5,000
      await until(() => lines.some((l) => l.msg === 'journal buffer full while the database is unreachable; dropped the oldest rows'), 10_000, 'the drop logged');
      await relay.open();
      await journal.flush();
      expect(await direct.prisma.call.count({ where: { id: { startsWith: 'c-' } } })).toBe(600); // every call's row kept
      const keptEvents = await direct.prisma.callEvent.count({ where: { callId: { startsWith: 'c-' } } });
      const keptStates = (await direct.prisma.agentStateLog.count()) - 1600;
      const dropped = 600 * 7 + 600 * 4 - keptEvents - keptStates;
      expect(dropped).toBeGreaterThan(0);
      expect(600 + 4200 + 2400 - dropped).toBeLessThanOrEqual(5000);
      const last = await direct.prisma.callEvent.findFirstOrThrow({ where: { callId: 'c-599', seq: 7 } });
      expect(last.type).toBe('ended'); // the newest rows are the ones kept
    } finally {
      await relay.cut().catch(() => undefined);
      await prisma.$disconnect().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await direct.close();
    }
  });
});
