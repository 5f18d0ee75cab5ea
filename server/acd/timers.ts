/** Every timer and limit of the ACD's signalling, in one place (tests shorten them). */
export interface AcdTimers {
  /** Wait between offers of a parked caller to the route point. */
  routeRetryMs: number;
  /** Offers tried before the caller is ended with cause `no-controller`. */
  routeRetryLimit: number;
  /** A client transaction with no final response fails after this (Timer B/F, 64*T1). */
  transactionTimeoutMs: number;
  /** A 200 to an INVITE with no ACK ends the leg after this (Timer H). */
  ackTimeoutMs: number;
  /** Lifetime of a digest nonce; older ones get `stale=true`. */
  nonceTtlMs: number;
  /** Authentication failures allowed in a burst per source, and their refill rate. */
  authFailBurst: number;
  authFailRefillPerSec: number;
}

export const DEFAULT_TIMERS: AcdTimers = {
  routeRetryMs: 2000,
  routeRetryLimit: 15,
  transactionTimeoutMs: 32_000,
  ackTimeoutMs: 32_000,
  nonceTtlMs: 5 * 60_000,
  authFailBurst: 10,
  authFailRefillPerSec: 0.2,
};
