/**
 * One CSV export for bench/history-1m.ts, in a process of its own so that its memory is its own
 * and a heap cap (--max-old-space-size) can be set on it: `stream` is the platform's export
 * (keyset batches into csv-stringify with back-pressure, server/admin/call-history-csv.ts);
 * `memory` is the reference, every row read by one query and written with csv-stringify/sync.
 * Prints one JSON line: rows, bytes, ms, peak RSS (sampled every 10 ms) over the RSS after a
 * first query (so Prisma's own start-up is not counted).
 *
 *   node --import tsx bench/history-export-child.ts <database url> <stream|memory> <from ISO> <to ISO>
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify as stringifySync } from 'csv-stringify/sync';
import { CallHistory } from '../server/admin/call-history';
import { callsCsv } from '../server/admin/call-history-csv';
import { openDatabase } from '../server/db/database';

const [url, mode, from, to] = process.argv.slice(2) as [string, 'stream' | 'memory', string, string];

async function main(): Promise<void> {
  const db = await openDatabase({ databaseUrl: url, dataDir: 'memory://' });
  // Prisma loads its query compiler on the first query: not the export's memory
  await db.prisma.$queryRaw`SELECT 1`;
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const t = performance.now();
  let rows = 0;
  let bytes = 0;
  try {
    if (mode === 'stream') {
      await pipeline(
        callsCsv(
          (async function* () {
            for await (const b of new CallHistory(db.prisma).exportBatches({ from, to })) {
              rows += b.length;
              yield b;
            }
          })(),
          'Europe/London',
        ),
        new Writable({
          write(chunk: Buffer, _enc, cb) {
            bytes += chunk.length;
            cb();
          },
        }),
      );
    } else {
      const all = await db.prisma.$queryRaw<Record<string, unknown>[]>`SELECT c.*, q."name" queue, u."name" operator,
          (SELECT e."data"->>'callerName' FROM "call_events" e WHERE e."call_id" = c."id" AND e."type" = 'arrived' ORDER BY e."seq" LIMIT 1) caller_name
        FROM "calls" c LEFT JOIN "queues" q ON q."id" = c."queue_id" LEFT JOIN "users" u ON u."id" = c."operator_id"
        WHERE c."arrived_at" >= ${new Date(from)} AND c."arrived_at" < ${new Date(to)} ORDER BY c."arrived_at" DESC, c."id" DESC`;
      const cells = all.map((r) =>
        [r.arrived_at, r.caller_number, r.caller_name, r.dialed, r.queue, r.operator, r.wait_ms, r.talk_ms, r.ended_at, r.ended_by, r.outcome, r.disposition_code, r.notes, r.id].map((v) =>
          v instanceof Date ? v.toISOString() : v === null || v === undefined ? '' : String(v),
        ),
      );
      rows = all.length;
      bytes = Buffer.byteLength(stringifySync(cells));
    }
  } finally {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage.rss());
    await db.close();
  }
  process.stdout.write(`${JSON.stringify({ rows, bytes, ms: performance.now() - t, peak: peak - base })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
