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
  /** Restart recovery (call-recovery.ts) rebuilt, closed or released one call or leg. */
  recovered(kind: RecoveredKind): void;
  /** Restart recovery settled; `rebuildMs` is this CTI's start → the last call rebuilt (null: none was). */
  recoverySettled(rebuildMs: number | null): void;
}

/**
 * What recovery did with one thing the ACD or the database held: a parked caller rebuilt (routed
 * again), a caller in a call rebuilt with its operator, a stored call the ACD no longer held
 * (closed), a device leg with no call to go back to (released).
 */
export const RECOVERED_KINDS = ['parked', 'talking', 'closed', 'released'] as const;
export type RecoveredKind = (typeof RECOVERED_KINDS)[number];

export const NO_CALL_METRICS: CallMetricsPort = { arrived: () => {}, offered: () => {}, answered: () => {}, ended: () => {}, recovered: () => {}, recoverySettled: () => {} };
