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
 * same run: each report again summed from the raw rows (`RAW_SUMS`: the calls' summary columns and
 * the state log, what the reports did before migration 0023's roll-ups), and the ratio raw ÷ roll-ups.
 *
 *   npx tsx bench/reports-1m.ts [calls]     (default 1000000; BENCH_PG_URL: another server;
 *   BENCH_REPORTS_URL: an already seeded database to time again, kept afterwards; BENCH_KEEP=1:
 *   keep the one seeded here; BENCH_DAYS=1,7: only those ranges)
 */
import { intervalsReport, operatorsReport, queuesReport, RAW_SUMS, ROLLED_SUMS, statesReport, type ReportDb } from '../server/admin/reports';
import { ReportQuery } from '../server/contracts/reports';
import { openDatabase } from '../server/db/database';
import { f1 } from './figures';
import { END, seedCalls } from './history-seed';
import { seedReportRows } from './reports-seed';
import { ScratchDb } from './scratch-db';

const CALLS = Number(process.argv[2] ?? 1_000_000);
const RUNS = 5;
const TZ = process.env.BENCH_TZ ?? 'UTC';
const TARGET_MS = 300;
const DAY = 86_400_000;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
// BENCH_DAYS=1,7 times only those ranges (the old per-call fold took ~30 min for the 31-day lines)
const WANT = (process.env.BENCH_DAYS ?? '1,7,31').split(',').map(Number);
const RANGES = [
  { days: 1, name: '1 day', from: day(END - DAY), to: day(END - DAY) },
  { days: 7, name: '7 days', from: day(END - 7 * DAY), to: day(END - DAY) },
  { days: 31, name: '31 days', from: day(END - 31 * DAY), to: day(END - DAY) },
].filter((r) => WANT.includes(r.days));

type Sums = typeof ROLLED_SUMS;
interface Case {
  name: string;
  range: string;
  run(db: ReportDb, sums: Sums): Promise<unknown>;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const r of RANGES) {
    const q = (interval: string) => ReportQuery.parse({ from: r.from, to: r.to, interval });
    for (const iv of ['15', '30', '60', 'day']) out.push({ name: `calls and service level per ${iv === 'day' ? 'day' : `${iv} min`}`, range: r.name, run: (db, s) => intervalsReport(db, q(iv), TZ, END, s) });
    out.push({ name: 'operators (incl. time in state)', range: r.name, run: (db, s) => operatorsReport(db, q('60'), TZ, END, s) });
    out.push({ name: 'time in each state', range: r.name, run: (db, s) => statesReport(db, q('60'), TZ, END, s) });
    out.push({ name: 'queues (incl. wait distribution)', range: r.name, run: (db, s) => queuesReport(db, q('60'), TZ, END, s) });
  }
  return out;
}

async function time(db: ReportDb, c: Case, sums: Sums, runs: number): Promise<number[]> {
  await c.run(db, sums); // warm the cache and the plan, as a supervisor's second look would be
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await c.run(db, sums);
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
    // BENCH_TZ: the site zone of the reports (default UTC; e.g. Asia/Kolkata for edges off the hour)
    console.log('| report | days | raw rows (before) median / worst | roll-ups (after) median / worst | ratio before ÷ after | after under 300 ms |');
    console.log('|---|---|---|---|---|---|');
    for (const c of all) {
      const runs = c.range === '1 day' ? RUNS : 3;
      const before = await time(prisma, c, RAW_SUMS, runs);
      const after = await time(prisma, c, ROLLED_SUMS, runs);
      console.log(`| ${c.name} | ${c.range} | ${f1(median(before))} / ${f1(Math.max(...before))} | ${f1(median(after))} / ${f1(Math.max(...after))} | ${f1(median(before) / median(after))}× | ${Math.max(...after) < TARGET_MS ? 'yes' : 'NO'} |`);
    }
    const size = await prisma.$queryRaw<Array<{ t: string; n: number }>>`
      SELECT t, n::int FROM (SELECT 'call_queue_rollups' t, count(*) n FROM call_queue_rollups UNION ALL SELECT 'call_operator_rollups', count(*) FROM call_operator_rollups
        UNION ALL SELECT 'missed_offer_rollups', count(*) FROM missed_offer_rollups UNION ALL SELECT 'state_rollups', count(*) FROM state_rollups) x`;
    console.log(`\nroll-up rows: ${size.map((r) => `${r.t} ${Number(r.n).toLocaleString('en')}`).join(', ')}`);
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
