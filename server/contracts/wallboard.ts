import { z } from 'zod';

/**
 * What the wallboard and the queue-figures report show, shared by the CTI (which computes the
 * live figures), the report route and the page. Formulas: docs/wallboard.md. Browser-safe: zod only.
 */

/** Sums over a queue's calls of a period (the fold's `Tally`, server/cti/domain/queue-figures.ts). Every field is a count or a sum of whole ms. */
export interface QueueTally {
  /** calls that reached the queue (inbound, not released as closed), waiting ones included */
  offered: number;
  /** of them, answered by an operator */
  answered: number;
  /** answered within the queue's service-level seconds of arriving */
  answeredInTarget: number;
  /** the caller left unanswered after waiting more than SHORT_ABANDON_MS */
  abandoned: number;
  /** the caller left unanswered within SHORT_ABANDON_MS (not in `abandoned`, not in the service level) */
  shortAbandoned: number;
  /** ended unanswered otherwise: maximum wait, forwarded to a number, failed */
  otherUnanswered: number;
  /** offered, neither answered nor ended yet */
  stillWaiting: number;
  /** Σ (first answer − arrival) over answered calls */
  answerWaitMs: number;
  /** answered calls that ended (their handle time is known) */
  handled: number;
  /** Σ (end − first answer) + (wrap-up end − end) over handled calls */
  handleMs: number;
  /** blind transfers of the counted calls */
  transfers: number;
}

export interface QueueRatios {
  serviceLevelPct: number | null;
  avgSpeedOfAnswerMs: number | null;
  avgHandleMs: number | null;
  abandonRatePct: number | null;
}

/** A queue's figures over a period: the report's row, and the "today" part of a tile. */
export interface QueuePeriodFigures {
  queueId: string;
  name: string;
  /** the queue's service-level target: slTargetPct % answered within slThresholdSec */
  slThresholdSec: number;
  slTargetPct: number;
  tally: QueueTally;
  ratios: QueueRatios;
}

/** A queue's wallboard alerts (stored with the queue; admins edit them in the queue form). */
export interface QueueAlerts {
  /** red when the longest wait passes this many seconds; null: no wait alert */
  maxWaitSec: number | null;
  /** red when callers wait and none of the queue's operators is Ready */
  noReady: boolean;
}

/** One tile of the live wallboard. */
export interface QueueTile extends QueuePeriodFigures {
  /** 'YYYY-MM-DD' in `timeZone`: the day the tally covers */
  day: string;
  timeZone: string;
  /** callers on the line waiting now (queued or being offered); callbacks are counted apart */
  waiting: number;
  /** callers who asked to be called back and are still waiting for their turn (nobody on the line) */
  callbacksWaiting: number;
  /** arrival (ms) of the caller waiting longest; the page ticks the longest wait from it */
  oldestWaitingSince: number | null;
  staffing: {
    ready: number;
    ringing: number;
    talking: number;
    wrapUp: number;
    notReady: number;
    notReadyByReason: Record<string, number>;
  };
  alerts: QueueAlerts;
}

/** GET /api/admin/reports/queue-figures?from=YYYY-MM-DD&to=YYYY-MM-DD (days in the site time zone, inclusive; default today). */
export const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a calendar day');
export const QueueFiguresQuery = z
  .object({ from: Day.optional(), to: Day.optional() })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'to must not be before from' })
  .refine((q) => !q.from || !q.to || Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`) <= 366 * 86_400_000, { path: ['to'], message: 'at most a year at a time' });
export type QueueFiguresQuery = z.infer<typeof QueueFiguresQuery>;

export interface QueueFiguresReport {
  from: string;
  to: string;
  timeZone: string;
  /** [start, end) of the period, ISO instants */
  start: string;
  end: string;
  queues: QueuePeriodFigures[];
}

/** Queue alerts in the queue form (stored with the queue). */
export const AlertMaxWaitSec = z.number({ error: 'seconds: a whole number from 5 to 7200' }).int('seconds: a whole number').min(5, 'seconds: at least 5').max(7200, 'seconds: at most 7200').nullable();
