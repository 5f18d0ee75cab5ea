/**
 * What the report roll-ups (migration 0023's triggers) cost the journal's write-behind: the same
 * call lifecycles written through the real Journal → JournalWriter → PrismaCtiStore batches,
 * once with the roll-up triggers and once with them disabled (the reference), on a throw-away
 * database. Prints the median and worst batch time and the ratio.
 *
 *   npx tsx bench/rollup-write-cost.ts [calls]     (default 20000, batches of up to 2,000 rows)
 */
import { Journal } from '../server/cti/call-journal';
import { PrismaCtiStore } from '../server/cti/prisma-cti-store';
import { openDatabase } from '../server/db/database';
import { DEMO, seedDemo } from '../server/db/seed';
import { createLogger } from '../server/log';
import { f1 } from './figures';
import { ScratchDb } from './scratch-db';

const CALLS = Number(process.argv[2] ?? 20_000);
const TABLES = ['calls', 'call_events', 'agent_state_log'];
const log = createLogger('warn');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const scratch = await ScratchDb.create();
  const db = await openDatabase({ databaseUrl: scratch.url, dataDir: 'memory://' });
  try {
    await seedDemo(db.prisma, { password: 'correct horse battery' });
    const run = async (tag: string) => {
      const batches: Array<{ rows: number; ms: number }> = [];
      let t = Date.UTC(2026, 10, 2, 8);
      const journal = new Journal(new PrismaCtiStore(db.prisma), () => t, log, { onBatch: (rows, ms, ok) => ok && batches.push({ rows, ms }) });
      const op = journal.agent(DEMO.users[1].id);
      for (let i = 0; i < CALLS; i++) {
        t += 7_000;
        const c = journal.call(`${tag}-${i}`, log);
        c.created({ acdLegId: `leg-${i}`, dialed: DEMO.number, callerId: 'sip:x@test.invalid', callerNumber: null, queueId: DEMO.queue.id, arrivedAt: new Date(t) });
        c.event('arrived', { queueId: DEMO.queue.id });
        op.stateChanged('ready', 'reserved', 'offer', t + 1000);
        c.updated({ operatorId: DEMO.users[1].id, offeredAt: new Date(t + 1000), answeredAt: new Date(t + 3000) });
        c.event('answered', { operatorId: DEMO.users[1].id, queueId: DEMO.queue.id });
        op.stateChanged('reserved', 'talking', 'answer', t + 3000);
        c.updated({ endedAt: new Date(t + 60_000), endedBy: 'caller', outcome: 'completed', wrapUpEndedAt: new Date(t + 65_000) });
        op.stateChanged('talking', 'wrap_up', 'hang_up', t + 60_000);
        op.stateChanged('wrap_up', 'ready', 'wrap_up_done', t + 65_000);
        // give the writer its turn (its 150 ms timer), so batches are written while calls keep coming
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 2));
      }
      await journal.flush();
      return batches;
    };
    const withTriggers = await run('on');
    for (const t of TABLES) await db.prisma.$executeRawUnsafe(`ALTER TABLE "${t}" DISABLE TRIGGER USER`);
    const without = await run('off');
    for (const t of TABLES) await db.prisma.$executeRawUnsafe(`ALTER TABLE "${t}" ENABLE TRIGGER USER`);
    const line = (name: string, b: Array<{ rows: number; ms: number }>) =>
      `| ${name} | ${b.length} | ${Math.round(b.reduce((s, x) => s + x.rows, 0) / b.length)} | ${f1(median(b.map((x) => x.ms)))} | ${f1(Math.max(...b.map((x) => x.ms)))} | ${f1((1000 * b.reduce((s, x) => s + x.ms, 0)) / b.reduce((s, x) => s + x.rows, 0))} |`;
    console.log(`journal batches for ${CALLS.toLocaleString('en')} calls (each: 1 row written 3 times, 2 events, 4 state moves)\n`);
    console.log('| triggers | batches | rows per batch | median ms | worst ms | µs per row |');
    console.log('|---|---|---|---|---|---|');
    console.log(line('roll-ups kept (0023)', withTriggers));
    console.log(line('disabled (reference)', without));
    // per row: the batches grow while a slower one is in flight, so their sizes differ between the runs
    const perRow = (b: Array<{ rows: number; ms: number }>) => b.reduce((s, x) => s + x.ms, 0) / b.reduce((s, x) => s + x.rows, 0);
    console.log(`\nratio (database time per row, with ÷ without): ${f1(perRow(withTriggers) / perRow(without))}×`);
  } finally {
    await db.close();
    await scratch.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
