import { Prisma } from '../db/generated/client';
import { EMPTY_TALLY, type Tally } from '../cti/domain/queue-figures';
import type { OperatorHandled } from '../cti/domain/report-figures';
import { rollupPieces, rollupPiecesOf, type RollupPiece } from '../cti/domain/rollup-pieces';
import { COUNTED, histogram, TALLY_COLUMNS, tallyOf, tallySelect, WAIT_COLUMNS, type QueueSums, type Row, type SumsDb } from './report-sums-sql';

/**
 * The reports' sums read from the roll-ups (migration 0023, kept by the journal's own writes):
 * whole UTC buckets of 1 day / 1 hour / 15 minutes from the roll-up tables, the uneven edges of a
 * range from the raw rows with the raw sums of report-sums-sql.ts, added together in one
 * statement (one snapshot). A queue's bucket counted with another service-level target than the
 * queue's own now (an admin changed it) is read from its calls instead, so the figures are always
 * those of the raw sums: report-rollups.postgres.test.ts holds the two equal.
 */

/** The pieces as a CTE `p` (grain, a, b): one text parameter each (the same on PostgreSQL and PGlite). */
function piecesCte(pieces: readonly RollupPiece[]): Prisma.Sql {
  const list = (f: (p: RollupPiece) => string) => pieces.map(f).join(',');
  return Prisma.sql`p AS (
    SELECT CAST(t."g" AS int) AS "g", CAST(t."a" AS timestamptz) AT TIME ZONE 'UTC' AS "a", CAST(t."b" AS timestamptz) AT TIME ZONE 'UTC' AS "b"
      FROM unnest(string_to_array(${list((p) => String(p.grain))}, ','), string_to_array(${list((p) => new Date(p.from).toISOString())}, ','),
                  string_to_array(${list((p) => new Date(p.to).toISOString())}, ',')) AS t("g", "a", "b"))`;
}

const CALL_COLS = Prisma.raw(`c."arrived_at", c."counted_queue_id", c."first_answered_at", c."ended_at", c."wrap_up_ended_at", c."outcome", c."transfers"`);
const snake = (s: string) => s.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`);
const q = (s: string) => `"${s}"`;

/** The tally rows of the pieces, per `key` (an expression over `c`, a call or a roll-up row with `arrived_at` = its bucket). */
async function rolledSums(prisma: SumsDb, pieces: readonly RollupPiece[], key: (c: string) => Prisma.Sql, withWaits: boolean): Promise<Row[]> {
  if (pieces.length === 0) return [];
  const cols = [...TALLY_COLUMNS, ...(withWaits ? WAIT_COLUMNS : [])];
  const rolled = Prisma.raw(cols.map((k) => `sum(r.${q(snake(k))}) AS ${q(k)}`).join(', '));
  const total = Prisma.raw(cols.map((k) => `sum(x.${q(k)})::${k.endsWith('Ms') ? 'float8' : 'int'} AS ${q(k)}`).join(', '));
  const rows = await prisma.$queryRaw<Row[]>`
    WITH ${piecesCte(pieces)},
    r AS (
      SELECT r.*, r."bucket" AS "arrived_at", COALESCE(qu."sl_threshold_sec", 20) * 1000 AS "cur"
        FROM p JOIN "call_queue_rollups" r ON r."grain" = p."g" AND r."bucket" >= p."a" AND r."bucket" < p."b"
        LEFT JOIN "queues" qu ON qu."id" = r."queue_id"
       WHERE p."g" > 0
    ),
    -- the calls read raw: those of the uneven edges, and those of a bucket counted with another target
    cr AS (
      -- LATERAL … OFFSET 0: an index range per piece or bucket. As a join the planner hashed all the calls on their
      -- queue, and its cost estimate (millions) switched JIT on: 1.1 s of compiling for a 1 ms query
      SELECT c.* FROM p CROSS JOIN LATERAL (
        SELECT ${CALL_COLS} FROM "calls" c WHERE c."arrived_at" >= p."a" AND c."arrived_at" < p."b" AND ${COUNTED} OFFSET 0) c
       WHERE p."g" = 0
      UNION ALL
      SELECT c.* FROM r CROSS JOIN LATERAL (
        SELECT ${CALL_COLS} FROM "calls" c WHERE c."arrived_at" >= r."bucket" AND c."arrived_at" < r."bucket" + make_interval(mins => r."grain"::int) AND c."counted_queue_id" = r."queue_id" AND ${COUNTED} OFFSET 0) c
       WHERE r."sl_ms" <> r."cur"
    )
    SELECT x."k", ${total} FROM (
      ${tallySelect(Prisma.sql`SELECT * FROM cr`, key('c'), withWaits)}
      UNION ALL
      SELECT ${key('r')} AS "k", ${rolled} FROM r WHERE r."sl_ms" = r."cur" GROUP BY 1
    ) x GROUP BY x."k"`;
  return rows;
}

/** Per counted queue over [start, end): its tally and wait distributions (= `queueSumsSql`). */
export async function queueSumsRolled(prisma: SumsDb, start: Date, end: Date, withWaits = true): Promise<Map<string, QueueSums>> {
  const rows = await rolledSums(prisma, rollupPieces(start.getTime(), end.getTime()), (c) => Prisma.raw(`${c}."${c === 'r' ? 'queue_id' : 'counted_queue_id'}"`), withWaits);
  return new Map(rows.map((r) => [String(r.k), { queueId: String(r.k), tally: tallyOf(r), answeredByWait: histogram(r, 'aw'), abandonedByWait: histogram(r, 'bw') }]));
}

/** Site-wide tallies per report bucket (`starts`, then `end`; = `bucketSumsSql`). */
export async function bucketSumsRolled(prisma: SumsDb, starts: readonly number[], end: Date): Promise<Tally[]> {
  if (starts.length === 0) return [];
  const iso = starts.map((s) => new Date(s).toISOString()).join(',');
  const key = (c: string) => Prisma.sql`width_bucket(${Prisma.raw(`${c}."arrived_at"`)}, ARRAY(SELECT CAST(unnest(string_to_array(${iso}, ',')) AS timestamptz) AT TIME ZONE 'UTC'))`;
  const rows = await rolledSums(prisma, rollupPiecesOf(starts, end.getTime()), key, false);
  const out = starts.map(() => ({ ...EMPTY_TALLY }));
  for (const r of rows) out[Number(r.k) - 1] = tallyOf(r);
  return out;
}

/** Per operator, answered inbound calls that arrived in [start, end) and ended (= `operatorHandledSql`). */
export async function operatorHandledRolled(prisma: SumsDb, start: Date, end: Date): Promise<OperatorHandled[]> {
  const pieces = rollupPieces(start.getTime(), end.getTime());
  if (pieces.length === 0) return [];
  const rows = await prisma.$queryRaw<Array<{ operatorId: string; handled: number; handleMs: number }>>`
    WITH ${piecesCte(pieces)}
    SELECT x."operatorId", sum(x."handled")::int AS "handled", sum(x."handleMs")::float8 AS "handleMs" FROM (
      SELECT r."operator_id" AS "operatorId", sum(r."handled") AS "handled", sum(r."handle_ms") AS "handleMs"
        FROM p JOIN "call_operator_rollups" r ON r."grain" = p."g" AND r."bucket" >= p."a" AND r."bucket" < p."b" WHERE p."g" > 0 GROUP BY 1
      UNION ALL
      SELECT c."operator_id", count(*), sum(greatest(0, round(extract(epoch FROM c."ended_at" - c."answered_at") * 1000)) + COALESCE(greatest(0, round(extract(epoch FROM c."wrap_up_ended_at" - c."ended_at") * 1000)), 0))
        FROM p CROSS JOIN LATERAL (SELECT * FROM "calls" c WHERE c."arrived_at" >= p."a" AND c."arrived_at" < p."b"
               AND c."direction" = 'inbound' AND c."operator_id" IS NOT NULL AND c."answered_at" IS NOT NULL AND c."ended_at" IS NOT NULL OFFSET 0) c
       WHERE p."g" = 0
       GROUP BY 1
    ) x GROUP BY 1 HAVING sum(x."handled") > 0`;
  return rows.map((r) => ({ operatorId: r.operatorId, handled: Number(r.handled), handleMs: Number(r.handleMs) }));
}

/** Offers that rang out in [start, end), per operator (= `missedOffersSql`). */
export async function missedOffersRolled(prisma: SumsDb, start: Date, end: Date): Promise<Array<{ operatorId: string; count: number }>> {
  const pieces = rollupPieces(start.getTime(), end.getTime());
  if (pieces.length === 0) return [];
  const rows = await prisma.$queryRaw<Array<{ operatorId: string; count: number }>>`
    WITH ${piecesCte(pieces)}
    SELECT x."operatorId", sum(x."n")::int AS "count" FROM (
      SELECT r."operator_id" AS "operatorId", sum(r."missed") AS "n"
        FROM p JOIN "missed_offer_rollups" r ON r."grain" = p."g" AND r."bucket" >= p."a" AND r."bucket" < p."b" WHERE p."g" > 0 GROUP BY 1
      UNION ALL
      SELECT e."data" ->> 'operatorId', count(*)
        FROM p CROSS JOIN LATERAL (SELECT * FROM "call_events" e WHERE e."type" = 'no-answer' AND e."at" >= p."a" AND e."at" < p."b" AND jsonb_typeof(e."data" -> 'operatorId') = 'string' OFFSET 0) e
       WHERE p."g" = 0
       GROUP BY 1
    ) x GROUP BY 1 HAVING sum(x."n") > 0`;
  return rows.map((r) => ({ operatorId: r.operatorId, count: Number(r.count) }));
}

export { piecesCte };
