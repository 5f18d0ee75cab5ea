/**
 * A queue's figures for a period, from the facts the journal stores: each call's row (`calls`) and
 * the timeline events that matter here (`answered`, `transferred`). The live wallboard
 * (`queue-board.ts`) and the report (`GET /api/admin/reports/queue-figures`) both fold the same
 * rows through `callFacts` → `contribution` → `addTally`, so for the same period they agree
 * exactly. Pure: no clock, no IO; times are ms since the epoch. Formulas: docs/wallboard.md.
 *
 *   row + events ──callFacts──▶ CallFacts ──contribution(queue's SL seconds)──▶ Tally
 *   Σ Tally (per queue) ──derive──▶ ratios (service level, ASA, AHT)
 *
 * A contribution is a pure function of one call's facts, so the live board keeps each call's
 * contribution, and when the call changes subtracts the old one and adds the new one: O(1) per
 * event, and the sum is always what a fresh fold of the stored rows gives.
 */

import type { QueuePeriodFigures, QueueTally } from '../../contracts/wallboard';

/** Abandons within this wait are counted apart (the caller dialled wrong, or hung up at once). */
export const SHORT_ABANDON_MS = 5_000;

/** What one call contributes, as the journal holds it (a stored row or the CTI's own copy). */
export interface CallFacts {
  callId: string;
  /** the queue the call counts for: where it was first answered, else the last queue it was in */
  queueId: string | null;
  direction: 'inbound' | 'outbound';
  arrivedAt: number;
  /** the first answer (a transferred call is answered again; its first wait is its speed of answer) */
  firstAnsweredAt: number | null;
  endedAt: number | null;
  outcome: string | null;
  wrapUpEndedAt: number | null;
  transfers: number;
}

/** The row's columns these figures read (a `calls` row or the journal's `CallRow`). */
export interface CallRowFacts {
  id: string;
  queueId: string | null;
  direction?: string | null;
  arrivedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  outcome: string | null;
  wrapUpEndedAt: Date | null;
}

/** A timeline event of the call, as stored (`call_events`): only `answered` and `transferred` matter. */
export interface CallEventFacts {
  type: string;
  at: Date;
  data?: unknown;
}

/**
 * What a call's timeline tells the figures, folded event by event (`foldFigureEvent`): the journal
 * keeps one per call as it writes the events and stores its result on the call's row (migration
 * 0022: `counted_queue_id`, `first_answered_at`, `transfers`), so the reports sum columns in SQL
 * instead of reading every event; `callFacts` folds stored events the same way (the reference).
 */
export interface FigureEvents {
  /** the first operator's answer (a forward's outside answer is not one) */
  firstAnsweredAt: number | null;
  /** the queue of that answer's event */
  answeredQueue: string | null;
  transfers: number;
  /** any `answered` event at all, a forward's too */
  anyAnswer: boolean;
}

export const noFigureEvents = (): FigureEvents => ({ firstAnsweredAt: null, answeredQueue: null, transfers: 0, anyAnswer: false });

/** The events the figures read; every other type leaves `FigureEvents` as it is. */
export const FIGURE_EVENT_TYPES: readonly string[] = ['answered', 'transferred'];

/** Folds one event (in stored order) into `into`; returns whether it changed. */
export function foldFigureEvent(into: FigureEvents, type: string, at: number, data: unknown): boolean {
  if (type === 'answered') {
    // an outside number answering a forwarded caller is not an operator's answer
    into.anyAnswer = true;
    if (into.firstAnsweredAt === null && !forwardAnswer(data)) {
      into.firstAnsweredAt = at;
      into.answeredQueue = queueIdOf(data);
    }
    return true;
  }
  if (type === 'transferred') {
    into.transfers++;
    return true;
  }
  return false;
}

/** The columns of a call's summary (what the row adds to CallFacts): from its row and its folded events. */
export function summaryOf(row: Pick<CallRowFacts, 'queueId' | 'answeredAt' | 'outcome'>, ev: Readonly<FigureEvents>): { countedQueueId: string | null; firstAnsweredAt: number | null; transfers: number } {
  let firstAnsweredAt = ev.firstAnsweredAt;
  // an answer the timeline lacks (rows without events) still counts, from the row's column
  if (!ev.anyAnswer && row.answeredAt && row.outcome !== 'forwarded') firstAnsweredAt = row.answeredAt.getTime();
  return { countedQueueId: ev.answeredQueue ?? row.queueId, firstAnsweredAt, transfers: ev.transfers };
}

/**
 * Folds a call's row and its events (in their stored order) into its facts. The queue of the first
 * `answered` event (its `queueId`, recorded since the wallboard) is the call's queue when it was
 * answered; otherwise the row's queue, the last one the call was in.
 */
export function callFacts(row: CallRowFacts, events: readonly CallEventFacts[]): CallFacts {
  const ev = noFigureEvents();
  for (const e of events) foldFigureEvent(ev, e.type, e.at.getTime(), e.data);
  return foldedCallFacts(row, ev);
}

/** A call's facts from its row and its events already folded (the wallboard keeps them folded). */
export function foldedCallFacts(row: CallRowFacts, ev: Readonly<FigureEvents>): CallFacts {
  const s = summaryOf(row, ev);
  return {
    callId: row.id,
    queueId: s.countedQueueId,
    direction: row.direction === 'outbound' ? 'outbound' : 'inbound',
    arrivedAt: row.arrivedAt.getTime(),
    firstAnsweredAt: s.firstAnsweredAt,
    endedAt: row.endedAt?.getTime() ?? null,
    outcome: row.outcome,
    wrapUpEndedAt: row.wrapUpEndedAt?.getTime() ?? null,
    transfers: s.transfers,
  };
}

function forwardAnswer(data: unknown): boolean {
  return !!data && typeof data === 'object' && 'number' in data && !('operatorId' in data);
}

function queueIdOf(data: unknown): string | null {
  if (data && typeof data === 'object' && 'queueId' in data) {
    const q = (data as { queueId: unknown }).queueId;
    if (typeof q === 'string') return q;
  }
  return null;
}

/** Sums over a queue's calls of a period: the contract's `QueueTally` (fields documented there). */
export type Tally = QueueTally;

export const EMPTY_TALLY: Readonly<Tally> = Object.freeze({
  offered: 0,
  answered: 0,
  answeredInTarget: 0,
  abandoned: 0,
  shortAbandoned: 0,
  otherUnanswered: 0,
  stillWaiting: 0,
  answerWaitMs: 0,
  handled: 0,
  handleMs: 0,
  transfers: 0,
});

const KEYS = Object.keys(EMPTY_TALLY) as Array<keyof Tally>;

/** Whether the call counts in queue figures at all: an inbound call that reached a queue's line. */
export function counts(f: CallFacts): boolean {
  return f.direction === 'inbound' && f.queueId !== null && f.outcome !== 'closed';
}

/** What one call adds to its queue's tally (zero for a call that does not count). */
export function contribution(f: CallFacts, slThresholdSec: number): Tally {
  const t: Tally = { ...EMPTY_TALLY };
  if (!counts(f)) return t;
  t.offered = 1;
  t.transfers = f.transfers;
  if (f.firstAnsweredAt !== null) {
    const wait = Math.max(0, f.firstAnsweredAt - f.arrivedAt);
    t.answered = 1;
    t.answerWaitMs = wait;
    if (wait <= slThresholdSec * 1000) t.answeredInTarget = 1;
    if (f.endedAt !== null) {
      t.handled = 1;
      const talk = Math.max(0, f.endedAt - f.firstAnsweredAt);
      const wrap = f.wrapUpEndedAt !== null ? Math.max(0, f.wrapUpEndedAt - f.endedAt) : 0;
      t.handleMs = talk + wrap;
    }
  } else if (f.endedAt === null) t.stillWaiting = 1;
  else if (f.outcome === 'abandoned') {
    if (f.endedAt - f.arrivedAt <= SHORT_ABANDON_MS) t.shortAbandoned = 1;
    else t.abandoned = 1;
  } else t.otherUnanswered = 1;
  return t;
}

/** `into` += sign × `t` (sign −1 takes a call's old contribution back out). */
export function addTally(into: Tally, t: Readonly<Tally>, sign: 1 | -1 = 1): Tally {
  for (const k of KEYS) into[k] += sign * t[k];
  return into;
}

/** The ratios of a tally; null where the denominator is zero (the board shows a dash). */
export interface Ratios {
  /** 100 × answeredInTarget / (answered + abandoned + otherUnanswered), one decimal */
  serviceLevelPct: number | null;
  /** answerWaitMs / answered, whole ms */
  avgSpeedOfAnswerMs: number | null;
  /** handleMs / handled, whole ms */
  avgHandleMs: number | null;
  /** 100 × (abandoned + shortAbandoned) / offered, one decimal */
  abandonRatePct: number | null;
}

export function ratios(t: Readonly<Tally>): Ratios {
  const slBase = t.answered + t.abandoned + t.otherUnanswered;
  return {
    serviceLevelPct: slBase > 0 ? round1((100 * t.answeredInTarget) / slBase) : null,
    avgSpeedOfAnswerMs: t.answered > 0 ? Math.round(t.answerWaitMs / t.answered) : null,
    avgHandleMs: t.handled > 0 ? Math.round(t.handleMs / t.handled) : null,
    abandonRatePct: t.offered > 0 ? round1((100 * (t.abandoned + t.shortAbandoned)) / t.offered) : null,
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** A queue's figures of a period from its tally (the board's "today" and the report's row). */
export function periodFigures(q: { id: string; name: string; slThresholdSec: number; slTargetPct: number }, t: Readonly<Tally>): QueuePeriodFigures {
  return { queueId: q.id, name: q.name, slThresholdSec: q.slThresholdSec, slTargetPct: q.slTargetPct, tally: { ...t }, ratios: ratios(t) };
}

/** Folds many calls into tallies per queue (the report; the board's seed). */
export function tallyByQueue(facts: Iterable<CallFacts>, slThresholdSec: (queueId: string) => number): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const f of facts) {
    if (!counts(f) || f.queueId === null) continue;
    let t = out.get(f.queueId);
    if (!t) out.set(f.queueId, (t = { ...EMPTY_TALLY }));
    addTally(t, contribution(f, slThresholdSec(f.queueId)));
  }
  return out;
}

/** One signed-in operator as the board counts them. */
export interface StaffFacts {
  operatorId: string;
  state: 'offline' | 'not_ready' | 'ready' | 'reserved' | 'talking' | 'wrap_up';
  /** the not-ready reason in words (null otherwise) */
  notReadyLabel: string | null;
}

/** Members of a queue by state (an operator in two queues counts in both). */
export interface Staffing {
  ready: number;
  /** being offered a call (their device rings) */
  ringing: number;
  talking: number;
  wrapUp: number;
  notReady: number;
  /** not-ready reason in words → operators */
  notReadyByReason: Record<string, number>;
}

export function staffing(members: readonly string[], agents: ReadonlyMap<string, StaffFacts>): Staffing {
  const s: Staffing = { ready: 0, ringing: 0, talking: 0, wrapUp: 0, notReady: 0, notReadyByReason: {} };
  for (const id of members) {
    const a = agents.get(id);
    if (!a) continue;
    if (a.state === 'ready') s.ready++;
    else if (a.state === 'reserved') s.ringing++;
    else if (a.state === 'talking') s.talking++;
    else if (a.state === 'wrap_up') s.wrapUp++;
    else if (a.state === 'not_ready') {
      s.notReady++;
      const why = a.notReadyLabel ?? 'No reason given';
      s.notReadyByReason[why] = (s.notReadyByReason[why] ?? 0) + 1;
    }
  }
  return s;
}
