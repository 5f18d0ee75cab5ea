/**
 * The figures of the reports page (docs/reports.md), pure: no clock, no IO; times are ms since
 * the epoch. Calls are folded through queue-figures' `contribution`, the same function the live
 * wallboard uses, so an interval's offered/answered/service level sums to the wallboard's day.
 *
 *   CallFacts ──by arrival bucket──▶ intervals (15/30/60 min, day; site time zone)
 *   CallFacts ──by queue──▶ abandon rate + wait distribution
 *   operator calls + agent_state_log rows + no-answer events ──▶ per operator
 */

import { addTally, contribution, counts, EMPTY_TALLY, ratios, type CallFacts, type Ratios, type Tally } from './queue-figures';
import { dayStart, nextDay, dayOf } from './report-day';

export type ReportInterval = '15' | '30' | '60' | 'day';

export interface IntervalRow {
  /** the bucket's first instant */
  start: number;
  /** the day and wall-clock time of the start in the site zone, 'YYYY-MM-DD HH:MM' (day buckets: 'YYYY-MM-DD') */
  label: string;
  tally: Tally;
  ratios: Ratios;
}

const hm = new Map<string, Intl.DateTimeFormat>();
function wallTime(ms: number, tz: string): string {
  let f = hm.get(tz);
  if (!f) hm.set(tz, (f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  return f.format(new Date(ms));
}

/**
 * The buckets of the days `from`..`to` (inclusive): each day of the site zone cut into `interval`
 * minutes from its own midnight, so a 23- or 25-hour daylight-saving day has 4 fewer or more
 * quarter hours, and no bucket straddles midnight.
 */
export function bucketStarts(from: string, to: string, interval: ReportInterval, tz: string): Array<{ start: number; label: string }> {
  const out: Array<{ start: number; label: string }> = [];
  for (let day = from; day <= to; day = nextDay(day)) {
    const s = dayStart(day, tz);
    if (interval === 'day') {
      out.push({ start: s, label: day });
      continue;
    }
    const e = dayStart(nextDay(day), tz);
    const step = Number(interval) * 60_000;
    for (let t = s; t < e; t += step) out.push({ start: t, label: `${day} ${wallTime(t, tz)}` });
  }
  return out;
}

/** Site-wide figures per bucket, each call in the bucket it arrived in, counted with its queue's service-level seconds. */
export function intervalFigures(facts: Iterable<CallFacts>, slThresholdSec: (queueId: string) => number, from: string, to: string, interval: ReportInterval, tz: string): IntervalRow[] {
  const buckets = bucketStarts(from, to, interval, tz);
  const tallies = buckets.map(() => ({ ...EMPTY_TALLY }));
  for (const f of facts) {
    if (!counts(f) || f.queueId === null) continue;
    const i = lastAtOrBefore(buckets, f.arrivedAt);
    if (i < 0) continue;
    // a call after the last bucket's day is outside the range
    if (i === buckets.length - 1 && dayOf(f.arrivedAt, tz) > to) continue;
    addTally(tallies[i]!, contribution(f, slThresholdSec(f.queueId)));
  }
  return buckets.map((b, i) => ({ start: b.start, label: b.label, tally: tallies[i]!, ratios: ratios(tallies[i]!) }));
}

function lastAtOrBefore(buckets: ReadonlyArray<{ start: number }>, t: number): number {
  let lo = 0;
  let hi = buckets.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (buckets[mid]!.start <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** Wait-time buckets, seconds: [0,10), [10,30), [30,60), [60,120), [120,300), [300,∞). */
export const WAIT_BUCKETS = [
  { label: '0–10 s', fromSec: 0 },
  { label: '10–30 s', fromSec: 10 },
  { label: '30–60 s', fromSec: 30 },
  { label: '1–2 min', fromSec: 60 },
  { label: '2–5 min', fromSec: 120 },
  { label: '5 min or more', fromSec: 300 },
] as const;

export function waitBucket(waitMs: number): number {
  let i = 0;
  for (let k = 0; k < WAIT_BUCKETS.length; k++) if (waitMs >= WAIT_BUCKETS[k]!.fromSec * 1000) i = k;
  return i;
}

export interface QueueReportRow {
  queueId: string;
  tally: Tally;
  ratios: Ratios;
  /** per WAIT_BUCKETS entry: answered calls by their wait to the first answer */
  answeredByWait: number[];
  /** per WAIT_BUCKETS entry: abandoned calls (short ones too) by how long the caller waited */
  abandonedByWait: number[];
}

/** Per queue: the tally (abandon rate in its ratios) and how long callers waited, answered or not. */
export function queueReport(facts: Iterable<CallFacts>, slThresholdSec: (queueId: string) => number): Map<string, QueueReportRow> {
  const out = new Map<string, QueueReportRow>();
  for (const f of facts) {
    if (!counts(f) || f.queueId === null) continue;
    let r = out.get(f.queueId);
    if (!r) out.set(f.queueId, (r = { queueId: f.queueId, tally: { ...EMPTY_TALLY }, ratios: ratios(EMPTY_TALLY), answeredByWait: WAIT_BUCKETS.map(() => 0), abandonedByWait: WAIT_BUCKETS.map(() => 0) }));
    addTally(r.tally, contribution(f, slThresholdSec(f.queueId)));
    if (f.firstAnsweredAt !== null) r.answeredByWait[waitBucket(Math.max(0, f.firstAnsweredAt - f.arrivedAt))]! += 1;
    else if (f.endedAt !== null && f.outcome === 'abandoned') r.abandonedByWait[waitBucket(Math.max(0, f.endedAt - f.arrivedAt))]! += 1;
  }
  for (const r of out.values()) r.ratios = ratios(r.tally);
  return out;
}

/** An operator's answered call (the `calls` row's operator: who had it last). */
export interface OperatorCall {
  operatorId: string;
  answeredAt: number;
  endedAt: number | null;
  wrapUpEndedAt: number | null;
}

/** A row of agent_state_log: the operator moved from `from` to `to` at `at` (`reasonCode`: why, for not_ready). */
export interface StateMove {
  userId: string;
  at: number;
  from: string;
  to: string;
  reasonCode?: string | null;
}

/** The key of "Not ready" time without a reason (the operator pressed Not ready and chose none). */
export const NO_REASON = '';

export const REPORT_STATES = ['not_ready', 'ready', 'reserved', 'talking', 'wrap_up'] as const;
export type ReportState = (typeof REPORT_STATES)[number];

export interface OperatorReportRow {
  operatorId: string;
  /** answered calls that ended */
  handled: number;
  /** Σ talk + wrap-up of the handled calls */
  handleMs: number;
  avgHandleMs: number | null;
  /** ms in each state within the range */
  stateMs: Record<ReportState, number>;
  /** the not_ready ms by reason code (NO_REASON: none given); sums to stateMs.not_ready */
  notReadyByReason: Record<string, number>;
  /** ms in any state but offline */
  signedInMs: number;
  /** 100 × (talking + wrap_up) / (signed in − not ready), one decimal; null when never available */
  occupancyPct: number | null;
  /** offers that rang out (no-answer events) */
  missedOffers: number;
}

/** Time an operator spent in one state (and, for not_ready, one reason): the time-in-state fold's output, summed or not. */
export interface StateSpan {
  userId: string;
  state: string;
  reasonCode: string | null;
  ms: number;
}

/**
 * Time in state, the fold: each move's `to` state lasts until the operator's next move, clipped
 * to [start, min(end, now)) — a state that began before the range (yesterday evening, across
 * midnight) counts from `start`, one still going counts until the range's end or until now,
 * never into the future. Before the first move of the range the operator was in that move's
 * `from` state (give their last move before `start` as a move at `start` to carry its reason).
 * Each not_ready span carries the reason of the move that began it. Offline spans are left out.
 * (The reports read the same spans summed in SQL, `server/admin/state-spans-sql.ts`; a test holds
 * the two equal.)
 */
export function stateSpans(moves: readonly StateMove[], start: number, rangeEnd: number, now = Infinity): StateSpan[] {
  const end = Math.min(rangeEnd, now);
  const byUser = new Map<string, StateMove[]>();
  for (const m of moves) {
    if (m.at < start || m.at >= end) continue;
    let l = byUser.get(m.userId);
    if (!l) byUser.set(m.userId, (l = []));
    l.push(m);
  }
  const out: StateSpan[] = [];
  for (const [userId, list] of byUser) {
    list.sort((a, b) => a.at - b.at);
    let state = list[0]!.from;
    let reason: string | null = null;
    let since = start;
    const add = (ms: number) => {
      if (ms > 0 && state !== 'offline') out.push({ userId, state, reasonCode: state === 'not_ready' ? reason : null, ms });
    };
    for (const m of list) {
      add(m.at - since);
      state = m.to;
      reason = m.reasonCode ?? null;
      since = m.at;
    }
    add(end - since);
  }
  return out;
}

/**
 * Per operator over [start, end): calls handled and their average handle time, time in each state
 * (`stateSpans`), occupancy, and missed offers (one per no-answer event's operatorId).
 */
export function operatorReport(calls: Iterable<OperatorCall>, moves: readonly StateMove[], missedBy: Iterable<string>, start: number, rangeEnd: number, now = Infinity): Map<string, OperatorReportRow> {
  const handled = new Map<string, OperatorHandled>();
  for (const c of calls) {
    if (c.endedAt === null) continue;
    let h = handled.get(c.operatorId);
    if (!h) handled.set(c.operatorId, (h = { operatorId: c.operatorId, handled: 0, handleMs: 0 }));
    h.handled++;
    h.handleMs += Math.max(0, c.endedAt - c.answeredAt) + (c.wrapUpEndedAt !== null ? Math.max(0, c.wrapUpEndedAt - c.endedAt) : 0);
  }
  const missed = new Map<string, number>();
  for (const id of missedBy) missed.set(id, (missed.get(id) ?? 0) + 1);
  return operatorReportOfSpans(handled.values(), stateSpans(moves, start, rangeEnd, now), [...missed].map(([operatorId, count]) => ({ operatorId, count })));
}

/** An operator's ended answered calls, summed (the fold above, or the reports' SQL). */
export interface OperatorHandled {
  operatorId: string;
  handled: number;
  /** Σ max(0, end − answer) + max(0, wrap-up end − end) */
  handleMs: number;
}

/** The same from sums already made (the reports' SQL sums calls per operator, spans per operator, state and reason, missed offers per operator). */
export function operatorReportOfSpans(handled: Iterable<OperatorHandled>, spans: Iterable<StateSpan>, missed: Iterable<{ operatorId: string; count: number }>): Map<string, OperatorReportRow> {
  const out = new Map<string, OperatorReportRow>();
  const row = (id: string) => {
    let r = out.get(id);
    if (!r) out.set(id, (r = { operatorId: id, handled: 0, handleMs: 0, avgHandleMs: null, stateMs: { not_ready: 0, ready: 0, reserved: 0, talking: 0, wrap_up: 0 }, notReadyByReason: {}, signedInMs: 0, occupancyPct: null, missedOffers: 0 }));
    return r;
  };
  for (const h of handled) {
    if (h.handled === 0) continue;
    const r = row(h.operatorId);
    r.handled += h.handled;
    r.handleMs += h.handleMs;
  }
  for (const m of missed) if (m.count > 0) row(m.operatorId).missedOffers += m.count;
  for (const sp of spans) {
    if (sp.ms <= 0 || !(REPORT_STATES as readonly string[]).includes(sp.state)) continue;
    const r = row(sp.userId);
    r.stateMs[sp.state as ReportState] += sp.ms;
    r.signedInMs += sp.ms;
    if (sp.state === 'not_ready') {
      const k = sp.reasonCode ?? NO_REASON;
      r.notReadyByReason[k] = (r.notReadyByReason[k] ?? 0) + sp.ms;
    }
  }
  for (const r of out.values()) {
    r.avgHandleMs = r.handled > 0 ? Math.round(r.handleMs / r.handled) : null;
    const available = r.signedInMs - r.stateMs.not_ready;
    r.occupancyPct = available > 0 ? Math.round((1000 * (r.stateMs.talking + r.stateMs.wrap_up)) / available) / 10 : null;
  }
  return out;
}
