import { Prisma, type PrismaClient } from '../db/generated/client';
import { EMPTY_TALLY, SHORT_ABANDON_MS, type Tally } from '../cti/domain/queue-figures';
import { WAIT_BUCKETS, type OperatorHandled } from '../cti/domain/report-figures';

/**
 * The queue figures' sums (`contribution` + `addTally` of server/cti/domain/queue-figures.ts)
 * done by the database over the summary columns the journal stores on each call's row (migration
 * 0022), grouped by queue or by arrival bucket: a report reads a row per group instead of every
 * call and its events. Same rules, line for line with `contribution`: a call counts when inbound,
 * with a counted queue, not closed; its wait is max(0, first answer − arrival); handle time is
 * max(0, end − first answer) + max(0, wrap-up end − end); an unanswered abandon within
 * SHORT_ABANDON_MS is short. Each queue's service-level seconds as they are now (20 for a removed
 * queue, as the fold's callers do). Times are whole ms (timestamp(3)), so the sums are exact.
 * `report-sums-sql.postgres.test.ts` and `queue-report.postgres.test.ts` hold them equal to the fold.
 */
export type SumsDb = Pick<PrismaClient, '$queryRaw'>;

export interface QueueSums {
  queueId: string;
  tally: Tally;
  /** per WAIT_BUCKETS entry, as `queueReport` */
  answeredByWait: number[];
  abandonedByWait: number[];
}

/** One GROUP BY row: a tally's sums under its key (bucket, queue or operator). */
export interface Row extends Tally {
  k: number | string;
  /** with the waits: aw0…aw5, bw0…bw5 (answered / abandoned per WAIT_BUCKETS entry) */
  [wait: `aw${number}` | `bw${number}`]: number;
}

const ms = (x: string) => Prisma.raw(`round(extract(epoch FROM (${x})) * 1000)`);
// constants of the code, written into the text
const WAIT_EDGES = WAIT_BUCKETS.map((b) => b.fromSec * 1000);

/** The counted inbound calls that arrived in [start, end), as `tallySelect`'s source. */
const inRange = (start: Date, end: Date) =>
  Prisma.sql`SELECT c."arrived_at", c."counted_queue_id", c."first_answered_at", c."ended_at", c."wrap_up_ended_at", c."outcome", c."transfers" FROM "calls" c
   WHERE c."direction" = 'inbound' AND c."arrived_at" >= CAST(${start} AS timestamp(3)) AND c."arrived_at" < CAST(${end} AS timestamp(3)) AND ${COUNTED}`;

/** The rows a tally counts (with `c` the calls' alias): `contribution`'s "counted". */
export const COUNTED = Prisma.sql`c."direction" = 'inbound' AND c."counted_queue_id" IS NOT NULL AND c."outcome" IS DISTINCT FROM 'closed'`;

/** The tally columns of a GROUP BY row, in `tallySelect`'s order (the waits after them when asked). */
export const TALLY_COLUMNS = ['offered', 'answered', 'answeredInTarget', 'abandoned', 'shortAbandoned', 'otherUnanswered', 'stillWaiting', 'answerWaitMs', 'handled', 'handleMs', 'transfers'] as const;
export const WAIT_COLUMNS = WAIT_BUCKETS.flatMap((_, i) => [`aw${i}`, `bw${i}`]);

/**
 * The tally sums of `source`'s calls (a query of the calls' columns, already filtered by COUNTED),
 * one row per `key` (an expression over `c`, the source's alias): k, TALLY_COLUMNS, then
 * WAIT_COLUMNS if `withWaits`.
 */
export function tallySelect(source: Prisma.Sql, key: Prisma.Sql, withWaits: boolean): Prisma.Sql {
  // the wait distributions as counts per bucket (`waitBucket`: the last edge at or below the wait)
  const waits = withWaits
    ? Prisma.raw(
        WAIT_EDGES.map((lo, i) => {
          const hi = WAIT_EDGES[i + 1];
          const within = (x: string) => `${x} >= ${lo}${hi === undefined ? '' : ` AND ${x} < ${hi}`}`;
          return `, count(*) FILTER (WHERE "fa" IS NOT NULL AND ${within('"wait"')})::int AS "aw${i}", count(*) FILTER (WHERE "fa" IS NULL AND "ended" IS NOT NULL AND "outcome" = 'abandoned' AND ${within('"left"')})::int AS "bw${i}"`;
        }).join(''),
      )
    : Prisma.empty;
  return Prisma.sql`
    WITH f AS (
      SELECT ${key} AS "k", c."first_answered_at" AS "fa", c."ended_at" AS "ended", c."outcome", c."transfers",
             COALESCE(q."sl_threshold_sec", 20) * 1000 AS "slMs",
             greatest(0, ${ms('c."first_answered_at" - c."arrived_at"')}) AS "wait",
             greatest(0, ${ms('c."ended_at" - c."arrived_at"')}) AS "left",
             greatest(0, ${ms('c."ended_at" - c."first_answered_at"')}) + COALESCE(greatest(0, ${ms('c."wrap_up_ended_at" - c."ended_at"')}), 0) AS "handle"
        FROM (${source}) c LEFT JOIN "queues" q ON q."id" = c."counted_queue_id"
    )
    SELECT "k",
           count(*)::int AS "offered",
           count("fa")::int AS "answered",
           count(*) FILTER (WHERE "fa" IS NOT NULL AND "wait" <= "slMs")::int AS "answeredInTarget",
           count(*) FILTER (WHERE "fa" IS NULL AND "ended" IS NOT NULL AND "outcome" = 'abandoned' AND "left" > ${SHORT_ABANDON_MS})::int AS "abandoned",
           count(*) FILTER (WHERE "fa" IS NULL AND "ended" IS NOT NULL AND "outcome" = 'abandoned' AND "left" <= ${SHORT_ABANDON_MS})::int AS "shortAbandoned",
           count(*) FILTER (WHERE "fa" IS NULL AND "ended" IS NOT NULL AND "outcome" IS DISTINCT FROM 'abandoned')::int AS "otherUnanswered",
           count(*) FILTER (WHERE "fa" IS NULL AND "ended" IS NULL)::int AS "stillWaiting",
           COALESCE(sum("wait") FILTER (WHERE "fa" IS NOT NULL), 0)::float8 AS "answerWaitMs",
           count(*) FILTER (WHERE "fa" IS NOT NULL AND "ended" IS NOT NULL)::int AS "handled",
           COALESCE(sum("handle") FILTER (WHERE "fa" IS NOT NULL AND "ended" IS NOT NULL), 0)::float8 AS "handleMs",
           COALESCE(sum("transfers"), 0)::int AS "transfers"
           ${waits}
      FROM f GROUP BY "k"`;
}

/** The tally sums of the counted inbound calls that arrived in [start, end), one row per `key`. */
const sums = (prisma: SumsDb, start: Date, end: Date, key: Prisma.Sql, withWaits: boolean) => prisma.$queryRaw<Row[]>(tallySelect(inRange(start, end), key, withWaits));

export function tallyOf(r: Row): Tally {
  const t: Tally = { ...EMPTY_TALLY };
  for (const k of Object.keys(EMPTY_TALLY) as Array<keyof Tally>) t[k] = Number(r[k]);
  return t;
}

export const histogram = (r: Row, p: 'aw' | 'bw') => WAIT_BUCKETS.map((_, i) => Number(r[`${p}${i}`] ?? 0));

/** Per counted queue: its tally and wait distributions (`queueReport`, `tallyByQueue`). */
export async function queueSumsSql(prisma: SumsDb, start: Date, end: Date, withWaits = true): Promise<Map<string, QueueSums>> {
  const rows = await sums(prisma, start, end, Prisma.sql`c."counted_queue_id"`, withWaits);
  return new Map(rows.map((r) => [String(r.k), { queueId: String(r.k), tally: tallyOf(r), answeredByWait: histogram(r, 'aw'), abandonedByWait: histogram(r, 'bw') }]));
}

/**
 * Site-wide tallies per bucket (`intervalFigures`): each call in the last bucket whose start is at
 * or before its arrival (`width_bucket` over the sorted starts, the fold's binary search). Returns
 * the tally of each bucket, EMPTY for a bucket without calls.
 */
export async function bucketSumsSql(prisma: SumsDb, starts: readonly number[], end: Date): Promise<Tally[]> {
  if (starts.length === 0) return [];
  // the starts as one text parameter (the same on PostgreSQL and PGlite), turned into UTC timestamp(3)s once
  const iso = starts.map((s) => new Date(s).toISOString()).join(',');
  const key = Prisma.sql`width_bucket(c."arrived_at", ARRAY(SELECT CAST(unnest(string_to_array(${iso}, ',')) AS timestamptz) AT TIME ZONE 'UTC'))`;
  const rows = await sums(prisma, new Date(starts[0]!), end, key, false);
  const out = starts.map(() => ({ ...EMPTY_TALLY }));
  for (const r of rows) out[Number(r.k) - 1] = tallyOf(r);
  return out;
}

/**
 * Per operator, their answered inbound calls that arrived in [start, end) and ended: count and
 * Σ handle time, from the row's own answer (the operator who had the call last: the fold's
 * `operatorReport` over the same rows).
 */
export async function operatorHandledSql(prisma: SumsDb, start: Date, end: Date): Promise<OperatorHandled[]> {
  const rows = await prisma.$queryRaw<Array<{ operatorId: string; handled: number; handleMs: number }>>`
    SELECT c."operator_id" AS "operatorId", count(*)::int AS "handled",
           sum(greatest(0, ${ms('c."ended_at" - c."answered_at"')}) + COALESCE(greatest(0, ${ms('c."wrap_up_ended_at" - c."ended_at"')}), 0))::float8 AS "handleMs"
      FROM "calls" c
     WHERE c."direction" = 'inbound' AND c."arrived_at" >= CAST(${start} AS timestamp(3)) AND c."arrived_at" < CAST(${end} AS timestamp(3))
       AND c."operator_id" IS NOT NULL AND c."answered_at" IS NOT NULL AND c."ended_at" IS NOT NULL
     GROUP BY 1`;
  return rows.map((r) => ({ operatorId: r.operatorId, handled: Number(r.handled), handleMs: Number(r.handleMs) }));
}

/** Offers that rang out in [start, end), per operator (the no-answer events' operatorId; migration 0019's partial index). */
export async function missedOffersSql(prisma: SumsDb, start: Date, end: Date): Promise<Array<{ operatorId: string; count: number }>> {
  const rows = await prisma.$queryRaw<Array<{ operatorId: string; count: number }>>`
    SELECT e."data" ->> 'operatorId' AS "operatorId", count(*)::int AS "count"
      FROM "call_events" e
     WHERE e."type" = 'no-answer' AND e."at" >= CAST(${start} AS timestamp(3)) AND e."at" < CAST(${end} AS timestamp(3))
       AND jsonb_typeof(e."data" -> 'operatorId') = 'string'
     GROUP BY 1`;
  return rows.map((r) => ({ operatorId: r.operatorId, count: Number(r.count) }));
}
