import type { Logger } from '../log';
import type { SipPhoneServer } from './device-grants';
import type { JournalWriterOptions } from './journal-writer';
import type { BankPort } from './ports/bank-port';
import type { CallMetricsPort } from './ports/call-metrics-port';
import type { CtiNotifier } from './ports/cti-notifier';
import type { CtiStore, MobileStore } from './ports/cti-store';
import type { RecordingsPort } from './ports/recordings-port';
import type { RoutingExchange } from './ports/routing-exchange';
import type { BoardExchange } from './ports/board-exchange';
import type { ReservationStore } from './ports/reservation-store';

/** What the CTI service is built from (cti-service.ts): its ports, secrets, timings. */
export interface CtiServiceOptions {
  bank: BankPort;
  store: CtiStore & Partial<MobileStore>;
  notifier: CtiNotifier;
  logger: Logger;
  secret: string;
  sipDomain: string;
  /** the ACD's SIP WebSocket URL given to browser devices */
  deviceWsUrl: string;
  deviceCredTtlSec: number;
  /** where desk phones and softphones register (the ACD's UDP/TCP port); without it no SIP phone device */
  sipPhone?: SipPhoneServer | null;
  /** how long an operator whose sockets all closed stays signed in (a reload) */
  disconnectGraceMs?: number;
  /** where recorded calls are catalogued (absent: recordings are made but not stored as rows) */
  recordings?: RecordingsPort;
  /** ended calls kept in memory for the admin view */
  recentCallsKept?: number;
  now?: () => number;
  /** the journal's write-behind (batch interval, size, bound while the database is away) */
  journal?: JournalWriterOptions;
  /** what /metrics counts as calls move (server/metrics/cti-metrics.ts); none by default */
  metrics?: CallMetricsPort;
  /** how long a stop waits for the journal's last rows when the database does not answer */
  stopFlushTimeoutMs?: number;
  /** the site's reporting time zone: the wallboard's "today" (default UTC) */
  timeZone?: string;
  /** how long a supervisor's answered mobile waits for the 1 before it is hung up (default 30 s) */
  monitorPressOneMs?: number;
  /** after the bank first registers, how long the ACD's re-offers are awaited before stored calls it did not offer are closed (default 3 s) */
  recoverySettleMs?: number;
  /** who holds each operator across CTI nodes (Redis with several nodes); default: in memory, this node alone */
  reservations?: ReservationStore;
  /** several CTI nodes: the other nodes' Ready operators and the handoff records (Redis; docs/cti.md, *Routing across nodes*); absent: this node routes alone */
  exchange?: RoutingExchange;
  /** several CTI nodes: the wallboard's exchange (the Redis adapter is the routing exchange's object too) */
  boardExchange?: BoardExchange;
}
