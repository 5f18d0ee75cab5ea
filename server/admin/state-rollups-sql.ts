import { Prisma } from '../db/generated/client';
import type { StateSpan } from '../cti/domain/report-figures';
import { rollupPieces } from '../cti/domain/rollup-pieces';
import { piecesCte } from './report-rollups-sql';
import type { SumsDb } from './report-sums-sql';

/**
 * Time in each state over [start, end) (`end` already min(period end, now)) from the state
 * roll-ups (migration 0023), equal to `stateSpansSql` (state-spans-sql.ts, the raw sums). The whole
 * buckets come from `state_rollups`, which hold every completed span (a move until the operator's
 * next); each operator's last move is still going and is not in them, so it is added here from
 * the move (or the whole buckets' start) to their end; the uneven edges (a range ending now) are
 * the raw fold's, each from its operators' state at its start. One statement: one snapshot.
 */
export async function stateSpansRolled(prisma: SumsDb, start: Date, end: Date): Promise<StateSpan[]> {
  const pieces = rollupPieces(start.getTime(), end.getTime());
  if (pieces.length === 0) return [];
  const reason = (to: string, code: string) => `CASE WHEN ${to} = 'not_ready' THEN COALESCE(${code}, '') ELSE '' END`;
  const rows = await prisma.$queryRaw<Array<{ userId: string; state: string; reason: string; ms: number }>>`
    WITH ${piecesCte(pieces)},
    w AS (SELECT min(p."a") AS "a", max(p."b") AS "b" FROM p WHERE p."g" > 0),
    rm AS (
      SELECT p."a" AS "ra", p."b" AS "rb", s."user_id", s."at", s."id", s."to", s."reason_code"
        FROM p CROSS JOIN LATERAL (SELECT * FROM "agent_state_log" s WHERE s."at" >= p."a" AND s."at" < p."b" OFFSET 0) s WHERE p."g" = 0
      UNION ALL
      SELECT p."a", p."b", u."id", p."a", 0, l."to", l."reason_code" FROM p CROSS JOIN "users" u
       CROSS JOIN LATERAL (SELECT b."to", b."reason_code" FROM "agent_state_log" b WHERE b."user_id" = u."id" AND b."at" < p."a" ORDER BY b."at" DESC, b."id" DESC LIMIT 1) l
       WHERE p."g" = 0
    ),
    seg AS (SELECT rm.*, lead(rm."at", 1, rm."rb") OVER (PARTITION BY rm."ra", rm."user_id" ORDER BY rm."at", rm."id") AS "until" FROM rm)
    SELECT x."userId", x."state", x."reason", sum(x."ms")::float8 AS "ms" FROM (
      SELECT r."user_id" AS "userId", r."state", r."reason", sum(r."ms") AS "ms"
        FROM p JOIN "state_rollups" r ON r."grain" = p."g" AND r."bucket" >= p."a" AND r."bucket" < p."b" WHERE p."g" > 0 GROUP BY 1, 2, 3
      UNION ALL
      SELECT u."id", l."to", ${Prisma.raw(reason('l."to"', 'l."reason_code"'))}, report_ms(w."b" - greatest(l."at", w."a"))
        FROM w CROSS JOIN "users" u
       CROSS JOIN LATERAL (SELECT s."at", s."to", s."reason_code" FROM "agent_state_log" s WHERE s."user_id" = u."id" ORDER BY s."at" DESC, s."id" DESC LIMIT 1) l
       WHERE w."a" IS NOT NULL AND l."at" < w."b" AND l."to" <> 'offline'
      UNION ALL
      SELECT seg."user_id", seg."to", ${Prisma.raw(reason('seg."to"', 'seg."reason_code"'))}, report_ms(seg."until" - seg."at") FROM seg WHERE seg."to" <> 'offline'
    ) x GROUP BY 1, 2, 3 HAVING sum(x."ms") > 0`;
  return rows.map((r) => ({ userId: r.userId, state: r.state, reasonCode: r.state === 'not_ready' && r.reason !== '' ? r.reason : null, ms: Number(r.ms) }));
}
