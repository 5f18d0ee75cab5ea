import { z } from 'zod';
import { Day } from './wallboard';

/**
 * GET /api/admin/reports/{intervals,operators,queues}?from=&to=&interval=&format= — days in the
 * site time zone, inclusive (default today); `format=csv` answers the same rows as a CSV download.
 * Shared by the reports page and the routes (docs/reports.md).
 */
export const ReportQuery = z
  .object({
    from: Day.optional(),
    to: Day.optional(),
    interval: z.enum(['15', '30', '60', 'day'], { error: 'interval: 15, 30, 60 or day' }).default('60'),
    format: z.enum(['json', 'csv'], { error: 'format: json or csv' }).default('json'),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'to must not be before from' })
  .refine((q) => !q.from || !q.to || Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`) <= 92 * 86_400_000, { path: ['to'], message: 'at most 93 days at a time' });
export type ReportQuery = z.infer<typeof ReportQuery>;

export const REPORT_CHARTS = ['intervals', 'operators', 'states', 'queues'] as const;
export type ReportChart = (typeof REPORT_CHARTS)[number];

interface Period {
  from: string;
  to: string;
  timeZone: string;
}

export interface IntervalsReport extends Period {
  interval: '15' | '30' | '60' | 'day';
  rows: Array<{ start: string; label: string; offered: number; answered: number; abandoned: number; shortAbandoned: number; serviceLevelPct: number | null; avgSpeedOfAnswerMs: number | null }>;
}

export interface OperatorsReport extends Period {
  rows: Array<{
    operatorId: string;
    name: string;
    handled: number;
    avgHandleMs: number | null;
    occupancyPct: number | null;
    missedOffers: number;
    signedInMs: number;
    stateMs: { not_ready: number; ready: number; reserved: number; talking: number; wrap_up: number };
    /** Not ready ms by reason code ('' = no reason given); sums to stateMs.not_ready */
    notReadyByReason: Record<string, number>;
  }>;
  /** the words of each reason code met in the rows */
  reasons: Record<string, string>;
}

/**
 * Time in each state per operator (the time-in-state chart): `states` in the chart's order, each
 * a key of `rows[].ms` — `ready`, `reserved`, `talking`, `wrap_up`, then `not_ready:<reason>` per
 * reason met ('' after the colon: none given).
 */
export interface StatesReport extends Period {
  states: Array<{ key: string; label: string }>;
  rows: Array<{ operatorId: string; name: string; signedInMs: number; ms: Record<string, number> }>;
}

/** The words of the states a report shows (the wallboard's words). */
export const STATE_WORDS = { ready: 'Ready', reserved: 'Ringing', talking: 'Talking', wrap_up: 'Wrap-up', not_ready: 'Not ready' } as const;

/** Not-ready causes the CTI records without an admin's code (server/cti/agent-roster.ts), in a report's words. */
export const NOT_READY_CAUSE_WORDS: Record<string, string> = {
  '': 'no reason given',
  missed: 'missed a call',
  device: 'phone not reachable',
  signed_in: 'just signed in',
  supervisor: 'set by a supervisor',
};

export interface QueuesReport extends Period {
  waitBuckets: string[];
  rows: Array<{ queueId: string; name: string; offered: number; answered: number; abandoned: number; abandonRatePct: number | null; serviceLevelPct: number | null; answeredByWait: number[]; abandonedByWait: number[] }>;
}
