import type { CallOutcome } from '../../contracts/call';

/**
 * What the CTI counts as calls move, for /metrics (server/metrics/cti-metrics.ts implements it
 * over prom-client). Called inline on the hot path: an implementation MUST be cheap (an add, a
 * bucket) and MUST NOT throw or do IO. `queue` is the queue's name, null when the call has none.
 */
export interface CallMetricsPort {
  /** A caller's leg reached the CTI and its number's queue was looked up (null: no queue serves it). */
  arrived(queue: string | null): void;
  /** The call's first offer to an operator; `waitMs` is arrival → offer. */
  offered(queue: string | null, waitMs: number): void;
  /** An operator answered; `waitMs` is arrival → answer. */
  answered(queue: string | null, waitMs: number): void;
  /** A call counted by `arrived` ended (outbound calls are counted by neither). */
  ended(queue: string | null, outcome: CallOutcome): void;
}

export const NO_CALL_METRICS: CallMetricsPort = { arrived: () => {}, offered: () => {}, answered: () => {}, ended: () => {} };
