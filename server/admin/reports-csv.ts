import { stringify } from 'csv-stringify/sync';
import type { IntervalsReport, OperatorsReport, QueuesReport, StatesReport } from '../contracts/reports';

/**
 * Each chart's rows as CSV (csv-stringify, as the call history export: RFC 4180 quoting). A
 * report is at most a few thousand rows (93 days of quarter hours), so it is written at once.
 * Durations are seconds with one decimal; an empty cell is a figure with no base (no calls).
 */
const secs = (ms: number | null) => (ms === null ? '' : (ms / 1000).toFixed(1));
const pct = (x: number | null) => (x === null ? '' : String(x));

export function intervalsCsv(r: IntervalsReport): string {
  return stringify(
    r.rows.map((x) => [x.label, r.timeZone, x.start, x.offered, x.answered, x.abandoned, x.shortAbandoned, pct(x.serviceLevelPct), secs(x.avgSpeedOfAnswerMs)]),
    { header: true, columns: ['interval start', 'time zone', 'start (UTC)', 'offered', 'answered', 'abandoned', 'short abandons', 'service level (%)', 'average speed of answer (s)'] },
  );
}

export function operatorsCsv(r: OperatorsReport): string {
  return stringify(
    r.rows.map((x) => [x.name, x.handled, secs(x.avgHandleMs), pct(x.occupancyPct), x.missedOffers, secs(x.signedInMs), secs(x.stateMs.ready), secs(x.stateMs.reserved), secs(x.stateMs.talking), secs(x.stateMs.wrap_up), secs(x.stateMs.not_ready), x.operatorId]),
    { header: true, columns: ['operator', 'calls handled', 'average handle time (s)', 'occupancy (%)', 'missed offers', 'signed in (s)', 'ready (s)', 'ringing (s)', 'talking (s)', 'wrap-up (s)', 'not ready (s)', 'operator id'] },
  );
}

/** One row per operator and state met (the chart's bars, long form: easy to pivot); share = of the time signed in. */
export function statesCsv(r: StatesReport): string {
  const out: unknown[][] = [];
  for (const x of r.rows)
    for (const s of r.states) {
      const ms = x.ms[s.key] ?? 0;
      if (ms > 0) out.push([x.name, s.label, secs(ms), x.signedInMs > 0 ? ((100 * ms) / x.signedInMs).toFixed(1) : '', secs(x.signedInMs), x.operatorId, s.key]);
    }
  return stringify(out, { header: true, columns: ['operator', 'state', 'time (s)', 'share of signed-in time (%)', 'signed in (s)', 'operator id', 'state key'] });
}

export function queuesCsv(r: QueuesReport): string {
  return stringify(
    r.rows.map((x) => [x.name, x.offered, x.answered, x.abandoned, pct(x.abandonRatePct), pct(x.serviceLevelPct), ...x.answeredByWait, ...x.abandonedByWait]),
    { header: true, columns: ['queue', 'offered', 'answered', 'abandoned', 'abandon rate (%)', 'service level (%)', ...r.waitBuckets.map((b) => `answered after ${b}`), ...r.waitBuckets.map((b) => `abandoned after ${b}`)] },
  );
}
