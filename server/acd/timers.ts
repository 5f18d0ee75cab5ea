/** Every timer and limit of the ACD's signalling, in one place (tests shorten them). */
export interface AcdTimers {
  /** RFC 3261 T1: RTT estimate; first retransmission interval over UDP (Timers A, E, G). */
  t1Ms: number;
  /** RFC 3261 T2: cap of the retransmission interval of non-INVITE requests and INVITE responses. */
  t2Ms: number;
  /** RFC 3261 T4: how long the network may hold a message (Timers I, K). */
  t4Ms: number;
  /** Wait between offers of a parked caller to the route point. */
  routeRetryMs: number;
  /** Offers tried before the caller is ended with cause `no-controller`. */
  routeRetryLimit: number;
  /** A client transaction with no final response fails after this (Timer B/F, 64*T1); also Timers D and J. */
  transactionTimeoutMs: number;
  /** A final answer to an INVITE with no ACK ends the transaction (and the leg, for a 2xx) after this (Timer H, 64*T1). */
  ackTimeoutMs: number;
  /** Lifetime of a digest nonce; older ones get `stale=true`. */
  nonceTtlMs: number;
  /** Authentication failures allowed in a burst per source, and their refill rate. */
  authFailBurst: number;
  authFailRefillPerSec: number;
  /** RFC 4028: the smallest Session-Expires the ACD accepts (Min-SE; 422 below it). */
  minSessionExpiresSec: number;
  /** RFC 4028: the session interval the ACD proposes or grants when a peer asks for none or more. */
  sessionExpiresSec: number;
  /** How often each leg in a call tells its controller its call quality (0: never). */
  qualityReportMs: number;
}

export const DEFAULT_TIMERS: AcdTimers = {
  t1Ms: 500,
  t2Ms: 4000,
  t4Ms: 5000,
  routeRetryMs: 2000,
  routeRetryLimit: 15,
  transactionTimeoutMs: 32_000,
  ackTimeoutMs: 32_000,
  nonceTtlMs: 5 * 60_000,
  authFailBurst: 10,
  authFailRefillPerSec: 0.2,
  minSessionExpiresSec: 90,
  sessionExpiresSec: 1800,
  qualityReportMs: 5000,
};

/** The subset the transaction layer needs. */
export type TransactionTimers = Pick<AcdTimers, 't1Ms' | 't2Ms' | 't4Ms' | 'transactionTimeoutMs' | 'ackTimeoutMs'>;
