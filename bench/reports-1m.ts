/**
 * The reports on 1,000,000 stored calls (npm run bench:reports): the calls of bench/history-1m.ts
 * (bench/history-seed.ts) plus what the reports read besides (bench/reports-seed.ts: answered and
 * no-answer events, ~3.5 million agent-state rows), on a throw-away database of the machine's
 * PostgreSQL, the platform's migrations, VACUUM ANALYZE. Then every report through its own loader
 * (server/admin/reports.ts, Prisma and @prisma/adapter-pg as the server runs them) for the last
 * day, the last 7 days and the last 31 days of the seed:
 *   calls and service level per 15, 30, 60 minutes and per day · operators (calls handled,
 *   handle time, occupancy, time in state, missed offers) · time in each state · queues
 *   (abandon rate, wait distribution)
 * each RUNS times after one warm-up, median and worst against the 300 ms target. Reference in the
 * same run for the one-day reports: the same queries in a transaction that dropped migration
 * 0019's indexes (put back by its ROLLBACK), so the ratio says what they buy.
 *
 *   npx tsx bench/reports-1m.ts [calls]     (default 1000000; BENCH_PG_URL: another server;
 *   BENCH_REPORTS_URL: an already seeded database to time again, kept afterwards; BENCH_KEEP=1:
 *   keep the one seeded here; BENCH_DAYS=1,7: only those ranges)
 */
import { intervalsReport, operatorsReport, queuesReport, statesReport, type ReportDb } from '../server/admin/reports';
import { ReportQuery } from '../server/contracts/reports';
import { openDatabase } from '../server/db/database';
import { f1 } from './figures';
import { END, seedCalls } from './history-seed';
import { seedReportRows } from './reports-seed';
import { ScratchDb } from './scratch-db';

const CALLS = Number(process.argv[2] ?? 1_000_000);
const RUNS = 5;
const TARGET_MS = 300;
const DAY = 86_400_000;
const DROP_0019 = ['agent_state_log_at_idx', 'call_events_no_answer_at_idx'];

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
// BENCH_DAYS=1,7 times only those ranges (the old per-call fold took ~30 min for the 31-day lines)
const WANT = (process.env.BENCH_DAYS ?? '1,7,31').split(',').map(Number);
const RANGES = [
  { days: 1, name: '1 day', from: day(END - DAY), to: day(END - DAY) },
  { days: 7, name: '7 days', from: day(END - 7 * DAY), to: day(END - DAY) },
  { days: 31, name: '31 days', from: day(END - 31 * DAY), to: day(END - DAY) },
].filter((r) => WANT.includes(r.days));

interface Case {
  name: string;
  range: string;
  run(db: ReportDb): Promise<unknown>;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const r of RANGES) {
    const q = (interval: string) => ReportQuery.parse({ from: r.from, to: r.to, interval });
    for (const iv of ['15', '30', '60', 'day']) out.push({ name: `calls and service level per ${iv === 'day' ? 'day' : `${iv} min`}`, range: r.name, run: (db) => intervalsReport(db, q(iv), 'UTC', END) });
    out.push({ name: 'operators (incl. time in state)', range: r.name, run: (db) => operatorsReport(db, q('60'), 'UTC', END) });
    out.push({ name: 'time in each state', range: r.name, run: (db) => statesReport(db, q('60'), 'UTC', END) });
    out.push({ name: 'queues (incl. wait distribution)', range: r.name, run: (db) => queuesReport(db, q('60'), 'UTC', END) });
  }
  return out;
}

async function time(db: ReportDb, c: Case, runs: number): Promise<number[]> {
  await c.run(db); // warm the cache and the plan, as a supervisor's second look would be
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await c.run(db);
    xs.push(performance.now() - t);
  }
  return xs;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const reuse = process.env.BENCH_REPORTS_URL;
  const scratch = reuse ? null : await ScratchDb.create();
  const url = reuse ?? scratch!.url;
  const db = await openDatabase({ databaseUrl: url, dataDir: 'memory://' });
  try {
    if (!reuse) {
      const t0 = performance.now();
      await seedCalls(url, CALLS);
      const extra = await seedReportRows(url);
      console.log(`seeded ${CALLS.toLocaleString('en')} calls, ${extra.events.toLocaleString('en')} more events, ${extra.states.toLocaleString('en')} agent-state rows in ${f1((performance.now() - t0) / 1000)} s (database ${scratch!.name})`);
    }
    const prisma = db.prisma;
    const all = cases();
    const v = (await prisma.$queryRaw<{ v: string }[]>`SELECT current_setting('server_version') v`)[0]!.v;
    console.log(`\nreports on ${CALLS.toLocaleString('en')} calls, PostgreSQL ${v}; ${RUNS} runs each for a day, 3 for longer ranges (ms), each line as it is measured\n`);
    console.log('| report | days | median | worst | under 300 ms |');
    console.log('|---|---|---|---|---|');
    const withIdx = new Map<Case, number[]>();
    for (const c of all) {
      const a = await time(prisma, c, c.range === '1 day' ? RUNS : 3);
      withIdx.set(c, a);
      console.log(`| ${c.name} | ${c.range} | ${f1(median(a))} | ${f1(Math.max(...a))} | ${Math.max(...a) < TARGET_MS ? 'yes' : 'NO'} |`);
    }
    // the reference: the one-day reports again without migration 0019's indexes (put back by the ROLLBACK)
    console.log('\n| report (1 day) | median with 0019 | median without 0019 indexes | ratio |');
    console.log('|---|---|---|---|');
    await prisma
      .$transaction(
        async (tx) => {
          for (const i of DROP_0019) await tx.$executeRawUnsafe(`DROP INDEX "${i}"`);
          for (const c of all.filter((x) => x.range === '1 day')) {
            const b = await time(tx as unknown as ReportDb, c, RUNS);
            const a = withIdx.get(c)!;
            console.log(`| ${c.name} | ${f1(median(a))} | ${f1(median(b))} | ${f1(median(b) / median(a))}× |`);
          }
          throw new Error('rollback');
        },
        { timeout: 900_000, maxWait: 10_000 },
      )
      .catch((err: unknown) => {
        if (!(err instanceof Error && err.message === 'rollback')) throw err;
      });
  } finally {
    await db.close();
    // BENCH_KEEP=1: keep the seeded database (time it again with BENCH_REPORTS_URL, e.g. before and after a change)
    if (scratch && process.env.BENCH_KEEP) console.log(`kept: BENCH_REPORTS_URL=${scratch.url}`);
    else if (scratch) await scratch.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
