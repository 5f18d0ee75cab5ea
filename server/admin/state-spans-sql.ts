import type { PrismaClient } from '../db/generated/client';
import type { StateSpan } from '../cti/domain/report-figures';

/**
 * The time-in-state fold of `stateSpans` (server/cti/domain/report-figures.ts) done by the
 * database and summed per operator, state and reason, so a report of a month reads a few rows per
 * operator instead of every move (a million rows for a busy month). Same rules: each move's `to`
 * lasts until the operator's next move (by time, then id) or the end; the state at the start is
 * each person's last move before it (one probe per person on (user_id, at)); offline is left out.
 * `end` is already min(period end, now). `state-spans-sql.test.ts` holds it equal to the fold.
 */
export async function stateSpansSql(prisma: Pick<PrismaClient, '$queryRaw'>, start: Date, end: Date): Promise<StateSpan[]> {
  const rows = await prisma.$queryRaw<Array<{ userId: string; state: string; reasonCode: string | null; ms: number | bigint }>>`
    WITH m AS (
      SELECT s."user_id", s."at", s."id", s."to", s."reason_code" FROM "agent_state_log" s
       WHERE s."at" >= CAST(${start} AS timestamp(3)) AND s."at" < CAST(${end} AS timestamp(3))
      UNION ALL
      SELECT u."id", CAST(${start} AS timestamp(3)), 0, l."to", l."reason_code" FROM "users" u
      CROSS JOIN LATERAL (SELECT b."to", b."reason_code" FROM "agent_state_log" b WHERE b."user_id" = u."id" AND b."at" < CAST(${start} AS timestamp(3)) ORDER BY b."at" DESC, b."id" DESC LIMIT 1) l
    ), seg AS (
      SELECT "user_id", "to", "reason_code", "at",
             lead("at", 1, CAST(${end} AS timestamp(3))) OVER (PARTITION BY "user_id" ORDER BY "at", "id") AS "until"
        FROM m
    )
    SELECT "user_id" AS "userId", "to" AS "state", CASE WHEN "to" = 'not_ready' THEN "reason_code" END AS "reasonCode",
           round(extract(epoch FROM sum("until" - "at")) * 1000)::float8 AS "ms"
      FROM seg WHERE "to" <> 'offline'
     GROUP BY 1, 2, 3
    HAVING sum("until" - "at") > interval '0'`;
  return rows.map((r) => ({ userId: r.userId, state: r.state, reasonCode: r.reasonCode, ms: Number(r.ms) }));
}
