import type { PrismaClient } from '../db/generated/client';
import { statesOf } from '../contracts/reports-states';
import { NOT_READY_CAUSE_WORDS, type IntervalsReport, type OperatorsReport, type QueuesReport, type ReportQuery, type StatesReport } from '../contracts/reports';
import { ratios } from '../cti/domain/queue-figures';
import { bucketStarts, operatorReportOfSpans, WAIT_BUCKETS } from '../cti/domain/report-figures';
import { bucketSumsRolled, missedOffersRolled, operatorHandledRolled, queueSumsRolled } from './report-rollups-sql';
import { bucketSumsSql, missedOffersSql, operatorHandledSql, queueSumsSql } from './report-sums-sql';
import { stateSpansRolled } from './state-rollups-sql';
import { stateSpansSql } from './state-spans-sql';
import { dayOf, daysRange } from '../cti/domain/report-day';

export type ReportDb = Pick<PrismaClient, 'call' | 'queue' | 'callEvent' | 'agentStateLog' | 'user' | 'code' | '$queryRaw'>;

/** Where the reports' sums come from: the roll-ups (the product), or the raw rows (the reference, bench/reports-1m.ts). */
export const ROLLED_SUMS = { buckets: bucketSumsRolled, queues: queueSumsRolled, handled: operatorHandledRolled, missed: missedOffersRolled, spans: stateSpansRolled };
export const RAW_SUMS: typeof ROLLED_SUMS = { buckets: bucketSumsSql, queues: queueSumsSql, handled: operatorHandledSql, missed: missedOffersSql, spans: stateSpansSql };
type Sums = typeof ROLLED_SUMS;

/** The days asked (default today in the site zone) and their [start, end). */
function period(q: ReportQuery, timeZone: string, now: number) {
  const today = dayOf(now, timeZone);
  const from = q.from ?? q.to ?? today;
  const to = q.to ?? (q.from ? q.from : today);
  return { from, to, ...daysRange(from, to, timeZone) };
}

/**
 * Calls and service level per bucket (site-wide): the wallboard's sums per bucket, read by the
 * database from the roll-ups and the calls' summary columns (`report-rollups-sql.ts`; equal to
 * the raw sums of `report-sums-sql.ts` and to `intervalFigures`).
 */
export async function intervalsReport(prisma: ReportDb, q: ReportQuery, timeZone: string, now: number, sums: Sums = ROLLED_SUMS): Promise<IntervalsReport> {
  const p = period(q, timeZone, now);
  const buckets = bucketStarts(p.from, p.to, q.interval, timeZone);
  const tallies = await sums.buckets(prisma, buckets.map((b) => b.start), new Date(p.end));
  const rows = buckets
    .map((b, i) => ({ ...b, tally: tallies[i]!, ratios: ratios(tallies[i]!) }))
    // buckets that have not begun yet are left out (today's afternoon at noon)
    .filter((r) => r.start <= now)
    .map((r) => ({ start: new Date(r.start).toISOString(), label: r.label, offered: r.tally.offered, answered: r.tally.answered, abandoned: r.tally.abandoned, shortAbandoned: r.tally.shortAbandoned, serviceLevelPct: r.ratios.serviceLevelPct, avgSpeedOfAnswerMs: r.ratios.avgSpeedOfAnswerMs }));
  return { from: p.from, to: p.to, timeZone, interval: q.interval, rows };
}

/** Per queue: abandon rate and the wait distribution. Queues without calls are listed with zeros. */
export async function queuesReport(prisma: ReportDb, q: ReportQuery, timeZone: string, now: number, sums: Sums = ROLLED_SUMS): Promise<QueuesReport> {
  const p = period(q, timeZone, now);
  const [queues, by] = await Promise.all([prisma.queue.findMany({ select: { id: true, name: true } }), sums.queues(prisma, new Date(p.start), new Date(p.end))]);
  const zeros = WAIT_BUCKETS.map(() => 0);
  const rows = queues
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((x) => {
      const r = by.get(x.id);
      const ra = r ? ratios(r.tally) : null;
      return { queueId: x.id, name: x.name, offered: r?.tally.offered ?? 0, answered: r?.tally.answered ?? 0, abandoned: (r?.tally.abandoned ?? 0) + (r?.tally.shortAbandoned ?? 0), abandonRatePct: ra?.abandonRatePct ?? null, serviceLevelPct: ra?.serviceLevelPct ?? null, answeredByWait: r?.answeredByWait ?? zeros, abandonedByWait: r?.abandonedByWait ?? zeros };
    });
  return { from: p.from, to: p.to, timeZone, waitBuckets: WAIT_BUCKETS.map((b) => b.label), rows };
}

/**
 * Per operator: their answered inbound calls that arrived in the period, their time in each state
 * (the state log of the period with each operator's last move before it, so a state that began
 * earlier counts from the period's start; summed in SQL), and the no-answer events. Today's
 * period ends now, not at midnight.
 */
export async function operatorsReport(prisma: ReportDb, q: ReportQuery, timeZone: string, now: number, sums: Sums = ROLLED_SUMS): Promise<OperatorsReport> {
  const p = period(q, timeZone, now);
  const start = new Date(p.start);
  const end = new Date(Math.min(p.end, now));
  const [calls, spans, missed, codes] = await Promise.all([
    sums.handled(prisma, start, new Date(p.end)),
    // time in state: whole buckets from the roll-ups, the edges from the moves (a month is a million moves), clipped to now
    sums.spans(prisma, start, end),
    sums.missed(prisma, start, end),
    prisma.code.findMany({ where: { kind: 'not_ready' }, select: { code: true, label: true } }),
  ]);
  const byOp = operatorReportOfSpans(calls, spans, missed);
  const users = await prisma.user.findMany({ where: { id: { in: [...byOp.keys()] } }, select: { id: true, name: true } });
  const names = new Map(users.map((u) => [u.id, u.name]));
  const rows = [...byOp.values()]
    .map((r) => ({ operatorId: r.operatorId, name: names.get(r.operatorId) ?? 'Removed user', handled: r.handled, avgHandleMs: r.avgHandleMs, occupancyPct: r.occupancyPct, missedOffers: r.missedOffers, signedInMs: r.signedInMs, stateMs: r.stateMs, notReadyByReason: r.notReadyByReason }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const labels = new Map(codes.map((c) => [c.code, c.label]));
  const reasons: Record<string, string> = {};
  for (const r of rows) for (const code of Object.keys(r.notReadyByReason)) reasons[code] = labels.get(code) ?? NOT_READY_CAUSE_WORDS[code] ?? code;
  return { from: p.from, to: p.to, timeZone, rows, reasons };
}

/** The time-in-state chart: the operators report's state times, Not ready split by reason, in the chart's order. */
export async function statesReport(prisma: ReportDb, q: ReportQuery, timeZone: string, now: number, sums: Sums = ROLLED_SUMS): Promise<StatesReport> {
  return statesOf(await operatorsReport(prisma, q, timeZone, now, sums));
}
