/**
 * Call history on 1,000,000 stored calls (npm run bench:history): a throw-away database on the
 * machine's PostgreSQL (bench/scratch-db.ts), the platform's migrations, 1,000,000 calls made by
 * one INSERT … SELECT generate_series (90 days, 12 queues, 300 operators, 60,000 caller numbers,
 * the outcomes' usual shares), VACUUM ANALYZE, then the history's own queries (server/admin/
 * call-history.ts, through Prisma and @prisma/adapter-pg as the server runs them), each 7 times,
 * median and worst:
 *   first page unfiltered · queue + 7-day range · one caller's number · operator + outcome ·
 *   sorted by talk time · the total count alone
 * Reference in the same run: the same queries inside a transaction that dropped migration 0013's
 * indexes (put back by its ROLLBACK: only the primary key and 0001's arrived_at index), and the
 * bare round trip (SELECT 1) through the same client — so the ratio says what the indexes buy.
 * Then the CSV export of 100,000 rows (a 9-day range) through the real export code into a sink,
 * each run in a process of its own (bench/history-export-child.ts) with its peak RSS; reference:
 * the same rows read in one query and written with csv-stringify's synchronous API (all in memory
 * at once). Both again with the heap capped at 64 MB: the streamed export must still finish.
 *
 *   npx tsx bench/history-1m.ts [calls]      (default 1000000; BENCH_PG_URL to use another server)
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CallHistory, type HistoryReader } from '../server/admin/call-history';
import { CallHistoryQuery } from '../server/contracts/admin/call-history';
import { openDatabase } from '../server/db/database';
import { f0, f1, f2, mb } from './figures';
import { END, seedCalls } from './history-seed';
import { ScratchDb } from './scratch-db';

const CALLS = Number(process.argv[2] ?? 1_000_000);
const RUNS = 7;
const TARGET_MS = 300;
const DAY = 86_400_000;
const HERE = path.dirname(fileURLToPath(import.meta.url));

const DROP_0013 = ['calls_arrived_at_id_idx', 'calls_queue_arrived_idx', 'calls_operator_outcome_arrived_idx', 'calls_caller_number_arrived_idx', 'calls_disposition_arrived_idx', 'calls_talk_idx', 'calls_wait_idx'];

interface Case {
  name: string;
  run(h: CallHistory, db: HistoryReader): Promise<unknown>;
}
const q = (o: Record<string, string>) => CallHistoryQuery.parse(o);
const iso = (ms: number) => new Date(ms).toISOString();
const CASES: Case[] = [
  { name: 'first page, unfiltered (25 rows + total)', run: (h) => h.page(q({})) },
  { name: 'queue + 7-day range', run: (h) => h.page(q({ queue: 'q-5', from: iso(END - 30 * DAY), to: iso(END - 23 * DAY) })) },
  { name: 'caller number', run: (h) => h.page(q({ caller: '+441632900042' })) },
  { name: 'operator + outcome', run: (h) => h.page(q({ operator: 'op-17', outcome: 'completed' })) },
  { name: 'sorted by talk time (longest first)', run: (h) => h.page(q({ sort: 'talk', dir: 'desc' })) },
  { name: 'page 40, sorted by wait (shortest first)', run: (h) => h.page(q({ sort: 'wait', dir: 'asc', page: '40' })) },
  { name: 'the total count alone', run: (_h, db) => db.$queryRaw`SELECT count(*) AS "n" FROM "calls" c` },
];

async function timeAll(db: HistoryReader): Promise<Map<string, number[]>> {
  const h = new CallHistory(db);
  const out = new Map<string, number[]>();
  for (const c of CASES) {
    await c.run(h, db); // warm the cache and the plan, as a supervisor's second look would be
    const xs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await c.run(h, db);
      xs.push(performance.now() - t);
    }
    out.set(c.name, xs);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const scratch = await ScratchDb.create();
  const db = await openDatabase({ databaseUrl: scratch.url, dataDir: 'memory://' });
  try {
    const t0 = performance.now();
    await seedCalls(scratch.url, CALLS);
    console.log(`seeded ${CALLS.toLocaleString('en')} calls in ${f1((performance.now() - t0) / 1000)} s (database ${scratch.name})`);
    const prisma = db.prisma;

    const rt: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await prisma.$queryRaw`SELECT 1`;
      rt.push(performance.now() - t);
    }
    const withIdx = await timeAll(prisma);
    let without = new Map<string, number[]>();
    await prisma
      .$transaction(
        async (tx) => {
          for (const i of DROP_0013) await tx.$executeRawUnsafe(`DROP INDEX "${i}"`);
          await tx.$executeRawUnsafe('CREATE INDEX "calls_arrived_at_idx" ON "calls"("arrived_at")');
          without = await timeAll(tx);
          throw new Error('rollback');
        },
        { timeout: 600_000, maxWait: 10_000 },
      )
      .catch((err: unknown) => {
        if (!(err instanceof Error && err.message === 'rollback')) throw err;
      });

    console.log(`\nhistory queries on ${CALLS.toLocaleString('en')} calls, PostgreSQL ${(await prisma.$queryRaw<{ v: string }[]>`SELECT current_setting('server_version') v`)[0]!.v}, ${RUNS} runs each (ms)`);
    console.log(`bare round trip (SELECT 1 through Prisma): median ${f2(median(rt))} ms\n`);
    console.log('| query | median | worst | without 0013 indexes (median) | ratio | under 300 ms |');
    console.log('|---|---|---|---|---|---|');
    for (const c of CASES) {
      const a = withIdx.get(c.name)!;
      const b = without.get(c.name)!;
      console.log(`| ${c.name} | ${f1(median(a))} | ${f1(Math.max(...a))} | ${f1(median(b))} | ${f1(median(b) / median(a))}× | ${Math.max(...a) < TARGET_MS ? 'yes' : 'NO'} |`);
    }

    // CSV export of 100,000 rows: the real export against all rows in memory at once, each in a
    // process of its own; then both again with a 64 MB heap cap, which only the streamed one fits in
    const perDay = CALLS / 90;
    const span = Math.ceil(100_000 / perDay);
    const from = iso(END - 40 * DAY);
    const to = iso(END - (40 - span) * DAY);
    const fifth = iso(Date.parse(from) + (Date.parse(to) - Date.parse(from)) / 5);
    const runs: Array<[string, ExportRun]> = [
      ['streamed, a fifth of the range', await exportChild(scratch.url, 'stream', from, fifth)],
      ['streamed, keyset batches of 2,000 (the export)', await exportChild(scratch.url, 'stream', from, to)],
      ['reference: one query, all rows in memory, csv-stringify/sync', await exportChild(scratch.url, 'memory', from, to)],
      ['streamed, heap capped at 64 MB', await exportChild(scratch.url, 'stream', from, to, 64)],
      ['reference, heap capped at 64 MB', await exportChild(scratch.url, 'memory', from, to, 64)],
    ];
    console.log(`\nCSV export of a ${span}-day range, Europe/London times, each in its own process`);
    console.log('| how | time | peak RSS over its start | rows | CSV |');
    console.log('|---|---|---|---|---|');
    for (const [name, r] of runs) console.log(r.ok ? `| ${name} | ${f0(r.ms)} ms | ${mb(r.peak)} | ${r.rows.toLocaleString('en')} | ${mb(r.bytes)} |` : `| ${name} | failed: ${r.error} | | | |`);
    const s = runs[1]![1];
    const m = runs[2]![1];
    if (s.ok && m.ok) console.log(`memory ratio (in memory / streamed): ${f1(m.peak / Math.max(1, s.peak))}×; time ratio (streamed / in memory): ${f2(s.ms / m.ms)}`);
  } finally {
    await db.close();
    await scratch.drop();
  }
}

type ExportRun = { ok: true; rows: number; bytes: number; ms: number; peak: number } | { ok: false; error: string };

/** One export in a child process (bench/history-export-child.ts), optionally with a heap cap. */
function exportChild(url: string, mode: 'stream' | 'memory', from: string, to: string, heapMb?: number): Promise<ExportRun> {
  const args = [...(heapMb ? [`--max-old-space-size=${heapMb}`] : []), '--expose-gc', '--import', 'tsx', path.join(HERE, 'history-export-child.ts'), url, mode, from, to];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: 300_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) return resolve({ ok: false, error: /heap out of memory/i.test(stderr) ? 'out of memory' : (stderr.trim().split('\n').pop() ?? err.message) });
      resolve({ ok: true, ...(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { rows: number; bytes: number; ms: number; peak: number }) });
    });
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
