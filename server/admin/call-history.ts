import type { z } from 'zod';
import { CallOutcome, EndedBy } from '../contracts/call';
import type { CallHistoryFilters, CallHistoryQuery, CallHistoryRow, Direction } from '../contracts/admin/call-history';
import type { Page } from '../contracts/admin/paging';
import { Prisma, type PrismaClient } from '../db/generated/client';

/**
 * The call history's reads, in SQL because its filters and sorts are on the waited and talked
 * times (the generated columns `wait_ms` / `talk_ms` of migration 0013), which Prisma's query
 * builder cannot express. Each filter is one indexed predicate; each sort has an index that
 * returns rows already in order (docs/database.md "Call history"):
 *   arrived — (arrived_at, id), or (queue_id, arrived_at, id) / (operator_id, outcome, arrived_at, id)
 *             when those filters are set;
 *   talk / wait — (talk_ms DESC NULLS LAST, id DESC): longest first with the unanswered last, or
 *             read backwards, shortest first with the unanswered first (no talk is the shortest).
 * The page is an offset page with its total (a supervisor jumps to page 7); the export walks the
 * same filters by keyset on (arrived_at, id) in batches, so its memory does not grow with the range.
 */
// the caller's name is not a column of `calls`: the CTI stores it with the call's arrival event
// (one index lookup on call_events (call_id, seq) per row shown or exported)
const COLS = Prisma.sql`c."id", c."arrived_at", c."direction", c."caller_number", c."dialed", q."name" AS "queue", u."name" AS "operator",
  c."wait_ms", c."talk_ms", c."ended_at", c."ended_by", c."outcome", coalesce(d."label", c."disposition_code") AS "disposition",
  (SELECT e."data"->>'callerName' FROM "call_events" e WHERE e."call_id" = c."id" AND e."type" = 'arrived' ORDER BY e."seq" LIMIT 1) AS "caller_name"`;
const FROM = Prisma.sql`FROM "calls" c
  LEFT JOIN "queues" q ON q."id" = c."queue_id"
  LEFT JOIN "users" u ON u."id" = c."operator_id"
  LEFT JOIN "codes" d ON d."kind" = 'disposition' AND d."code" = c."disposition_code"`;

interface Stored {
  id: string;
  arrived_at: Date;
  direction: string;
  caller_number: string | null;
  caller_name: string | null;
  dialed: string;
  queue: string | null;
  operator: string | null;
  wait_ms: bigint | number | null;
  talk_ms: bigint | number | null;
  ended_at: Date | null;
  ended_by: string | null;
  outcome: string | null;
  disposition: string | null;
  notes?: string | null;
}

/** A history row with the operator's notes (the export's last column). */
export type CallExportRow = CallHistoryRow & { notes: string | null };

/** What the history needs of Prisma: raw reads (a transaction's client will do, as the bench uses). */
export type HistoryReader = Pick<PrismaClient, '$queryRaw'>;

export class CallHistory {
  constructor(private readonly prisma: HistoryReader) {}

  async page(q: CallHistoryQuery): Promise<Page<CallHistoryRow>> {
    const where = whereOf(q);
    const [rows, count] = await Promise.all([
      this.prisma.$queryRaw<Stored[]>`SELECT ${COLS} ${FROM} ${where} ${orderOf(q.sort, q.dir)} LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      this.prisma.$queryRaw<{ n: bigint | number }[]>`SELECT count(*) AS "n" FROM "calls" c ${where}`,
    ]);
    return { rows: rows.map(rowOf), total: Number(count[0]?.n ?? 0), page: q.page, pageSize: q.pageSize };
  }

  /**
   * Every call the filters match, newest first, `batch` rows per query: the next batch starts
   * below the last row of the one before ((arrived_at, id) < last), never with an OFFSET. Yields
   * whole batches (one await per 2,000 rows, not one per row: the export's speed depends on it).
   */
  async *exportBatches(f: CallHistoryFilters, batch = 2000): AsyncGenerator<CallExportRow[]> {
    let after: { at: Date; id: string } | null = null;
    for (;;) {
      const conds = conditionsOf(f);
      if (after) conds.push(Prisma.sql`(c."arrived_at", c."id") < (${after.at}, ${after.id})`);
      const where = conds.length ? Prisma.sql`WHERE ${Prisma.join(conds, ' AND ')}` : Prisma.empty;
      const rows: Stored[] = await this.prisma.$queryRaw<Stored[]>`SELECT ${COLS}, c."notes" ${FROM} ${where} ORDER BY c."arrived_at" DESC, c."id" DESC LIMIT ${batch}`;
      if (rows.length > 0) yield rows.map((r) => ({ ...rowOf(r), notes: r.notes ?? null }));
      if (rows.length < batch) return;
      const last = rows[rows.length - 1]!;
      after = { at: last.arrived_at, id: last.id };
    }
  }
}

function conditionsOf(f: CallHistoryFilters): Prisma.Sql[] {
  const c: Prisma.Sql[] = [];
  if (f.from) c.push(Prisma.sql`c."arrived_at" >= ${new Date(f.from)}`);
  if (f.to) c.push(Prisma.sql`c."arrived_at" < ${new Date(f.to)}`);
  if (f.queue) c.push(Prisma.sql`c."queue_id" = ${f.queue}`);
  if (f.operator) c.push(Prisma.sql`c."operator_id" = ${f.operator}`);
  if (f.outcome) c.push(Prisma.sql`c."outcome" = ${f.outcome}`);
  // LIKE on a prefix with text_pattern_ops (migration 0013); the prefix is digits and '+' only (zod), no wildcard to escape
  if (f.caller) c.push(Prisma.sql`c."caller_number" LIKE ${`${f.caller}%`}`);
  if (f.minTalk !== undefined) c.push(Prisma.sql`c."talk_ms" >= ${f.minTalk * 1000}`);
  if (f.maxTalk !== undefined) c.push(Prisma.sql`c."talk_ms" <= ${f.maxTalk * 1000 + 999}`);
  if (f.disposition) c.push(Prisma.sql`c."disposition_code" = ${f.disposition}`);
  if (f.direction) c.push(Prisma.sql`c."direction" = ${f.direction}`);
  return c;
}

function whereOf(f: CallHistoryFilters): Prisma.Sql {
  const c = conditionsOf(f);
  return c.length ? Prisma.sql`WHERE ${Prisma.join(c, ' AND ')}` : Prisma.empty;
}

function orderOf(sort: CallHistoryQuery['sort'], dir: CallHistoryQuery['dir']): Prisma.Sql {
  if (sort === 'arrived') return dir === 'desc' ? Prisma.sql`ORDER BY c."arrived_at" DESC, c."id" DESC` : Prisma.sql`ORDER BY c."arrived_at" ASC, c."id" ASC`;
  const col = sort === 'talk' ? Prisma.sql`c."talk_ms"` : Prisma.sql`c."wait_ms"`;
  // the index's order ((x DESC NULLS LAST, id DESC)) forwards or backwards, so no sort step on a million rows
  return dir === 'desc' ? Prisma.sql`ORDER BY ${col} DESC NULLS LAST, c."id" DESC` : Prisma.sql`ORDER BY ${col} ASC NULLS FIRST, c."id" ASC`;
}

function rowOf(r: Stored): CallHistoryRow {
  return {
    id: r.id,
    arrivedAt: r.arrived_at.getTime(),
    direction: (r.direction === 'outbound' ? 'outbound' : 'inbound') satisfies Direction,
    callerNumber: r.caller_number,
    callerName: r.caller_name || null,
    dialed: r.dialed,
    queue: r.queue,
    operatorName: r.operator,
    waitMs: r.wait_ms === null ? null : Number(r.wait_ms),
    talkMs: r.talk_ms === null ? null : Number(r.talk_ms),
    endedAt: r.ended_at?.getTime() ?? null,
    endedBy: storedWord(EndedBy, r.ended_by),
    outcome: storedWord(CallOutcome, r.outcome),
    disposition: r.disposition,
  };
}

/** A word the CTI stored (`calls.ended_by`, `calls.outcome`), read back as its closed list; an unknown one reads as none. */
export function storedWord<T extends string>(words: z.ZodType<T>, value: string | null): T | null {
  const parsed = words.safeParse(value);
  return parsed.success ? parsed.data : null;
}
