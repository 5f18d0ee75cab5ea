import type { PressOnePolicy } from '../domain/press-one-state';
import type { FigureEvents } from '../domain/queue-figures';
import type { CallOutcome, EndedBy, TimelineEvent } from '../../contracts/call';
import type { RecordingPolicy } from '../../contracts/admin/recordings';
import type { Announce, CallbackDigit, StrategyParams } from '../../contracts/admin/queues';
import type { QueueAlerts } from '../../contracts/wallboard';
import type { RoutingQueue } from '../domain/routing';
import type { CallFacts } from '../domain/queue-figures';
import type { ScheduleRule } from '../domain/business-hours';

/**
 * What the CTI reads and writes in the database, and nothing more. The service keeps the live
 * picture in memory and writes through this port, in order, after deciding;
 * `prisma-cti-store.ts` implements it.
 */
export interface QueueInfo {
  id: string;
  name: string;
  ringTimeoutSec: number;
  wrapUpSec: number;
  maxWaitSec: number;
  holdAudio: string;
  /** whether the queue's answered calls are recorded */
  recordingPolicy: RecordingPolicy;
  /** tell the caller by a prompt (before the bridge for `always`, at Record for `on_demand`) */
  recordingNotice: boolean;
  /** 1–10, 10 first: which queue's callers an operator in several queues gets first */
  priority: number;
  /** the strategy's parameters, defaults filled in */
  params: Required<StrategyParams>;
  /** the dialled number's caller priority (0 normal); only from queueForNumber */
  callPriority?: number;
  /** strategy, tiers, required skills, members with their levels and skills */
  routing: RoutingQueue;
  /** what happens after the maximum wait (audio: the message before a release) */
  maxWait: Diversion;
  /** at most this many callers waiting (queued or ringing); null: no limit */
  maxCallers: number | null;
  /** what a caller arriving at a full queue gets: the max-wait action, with the queue-full message */
  full: Diversion;
  /** nobody who could take the call signed in: the max-wait action at once (false: callers wait) */
  overflowWhenEmpty: boolean;
  /** what waiting callers are told on arrival and every `announceEverySec` */
  announce: Announce;
  announceEverySec: number;
  /** the key a waiting caller presses to be called back (null: no callback) */
  callbackDigit: CallbackDigit | null;
  /** press-1 accept per device kind, its time, and the clip the phone hears (the queue's sentence or the built-in) */
  pressOne: PressOnePolicy & { clip: string };
  /** the queue's callback rules: tries, seconds between them, minutes before an unmade callback is given up */
  callback: { tries: number; retrySec: number; expiryMin: number };
  /** the queue's business hours */
  hours: HoursRule;
  /** the dialled number's own business hours (checked first), when the queue was found by number */
  numberHours?: HoursRule;
  /** the screen-pop address template, or null */
  screenPopUrl: string | null;
  /** the wallboard's settings: service-level target and alerts (absent: the columns' defaults) */
  board?: QueueBoardSettings;
}

export interface QueueBoardSettings {
  slTargetPct: number;
  slThresholdSec: number;
  alerts: QueueAlerts;
}

/** Where a caller the queue does not keep goes: a message then release, another queue, or a number. */
export interface Diversion {
  action: 'release' | 'overflow_queue' | 'overflow_number';
  /** the clip played before a release (null: release at once) */
  audio: string | null;
  queueId: string | null;
  number: string | null;
}

/** A schedule (none: always open) and what a caller gets while it says closed. */
export interface HoursRule {
  scheduleId: string | null;
  closed: Diversion;
}

export interface StoredSchedule extends ScheduleRule {
  id: string;
  name: string;
}

/** Every served number and every queue with its members, read at once (the routing cache). */
export interface RoutingSnapshot {
  numbers: Array<{ e164: string; queueId: string; holdAudio: string; hours: HoursRule; priority: number }>;
  queues: QueueInfo[];
}

export interface NewCallRow {
  id: string;
  acdLegId: string;
  dialed: string;
  callerId: string;
  /** the number the caller's address carries, null for a web caller */
  callerNumber: string | null;
  queueId: string | null;
  arrivedAt: Date;
  /** default inbound */
  direction?: 'inbound' | 'outbound';
}

export interface CallRowPatch {
  /** an outbound call's number leg, once it answered */
  acdLegId?: string;
  queueId?: string | null;
  operatorId?: string | null;
  offeredAt?: Date;
  answeredAt?: Date;
  endedAt?: Date;
  endedBy?: EndedBy;
  outcome?: CallOutcome;
  notes?: string;
  dispositionCode?: string | null;
  wrapUpExtended?: boolean;
  wrapUpEndedAt?: Date;
}

/** An active code of the admin's lists (not-ready reasons, dispositions). */
export interface CodeEntry {
  kind: 'not_ready' | 'disposition';
  code: string;
  label: string;
}

/** A stored call of a caller (their history, shown to the operator they reach next). */
export interface PastCallRow {
  id: string;
  arrivedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  outcome: string | null;
  endedBy: string | null;
  queueName: string | null;
  operatorName: string | null;
  dispositionCode: string | null;
  notes: string | null;
}

export interface CallEventRow {
  callId: string;
  /** 1, 2, … in the order the events happened */
  seq: number;
  type: TimelineEvent;
  at: Date;
  data?: Record<string, unknown>;
}

/** A call's whole row as the CTI knows it now (written whole: a later row replaces an earlier one). */
export interface CallRow extends NewCallRow {
  operatorId: string | null;
  offeredAt: Date | null;
  answeredAt: Date | null;
  endedAt: Date | null;
  endedBy: EndedBy | null;
  outcome: CallOutcome | null;
  notes: string | null;
  dispositionCode: string | null;
  wrapUpExtended: boolean;
  wrapUpEndedAt: Date | null;
  /**
   * the figures' fold of the call's timeline so far (the journal keeps it as it writes the events);
   * stored as the row's summary columns with the row. Absent: no event folded.
   */
  figures?: FigureEvents;
}

/** A call the journal left open (no end stored): its row, and where its timeline stopped. */
export interface OpenCall {
  row: CallRow;
  /** the last stored event's seq (0: none), so the timeline goes on after it */
  lastSeq: number;
  lastEventAt: Date | null;
}

export interface AgentStateRow {
  userId: string;
  from: string;
  to: string;
  reason: string;
  /** the admin's not-ready code, or the cause (`missed`, `device`), when the move is to not_ready */
  reasonCode: string | null;
  at: Date;
}

/** One write of the journal: call rows first, then their events, then agent states. */
export interface JournalBatch {
  calls: CallRow[];
  events: CallEventRow[];
  agentStates: AgentStateRow[];
}

export interface CtiStore {
  /** The routing cache's read: numbers, queues and members (never on a call's path). */
  routingSnapshot(): Promise<RoutingSnapshot>;
  /** The queue a dialled number leads to, with its members; null when the number is not served (the cache's miss). */
  queueForNumber(e164: string): Promise<QueueInfo | null>;
  /** Every business-hours schedule (the CTI caches them; reloaded on a schedule change). */
  schedules(): Promise<StoredSchedule[]>;
  /**
   * Writes a batch in one transaction: all of it or none of it (the journal retries a failed
   * batch whole). Call rows are inserted or replaced by id.
   */
  writeJournal(batch: JournalBatch): Promise<void>;
  /** Resolves when the database answers (tells a bad batch from an outage). */
  ping(): Promise<void>;
  /** The E.164 prefixes operators may dial (the CTI caches them; reloaded on a dial_prefix change). */
  dialPrefixes(): Promise<string[]>;
  /** The active codes of both lists, in the admin's order (cached by the CTI, re-read on a code change). */
  activeCodes(): Promise<CodeEntry[]>;
  /** A caller's previous calls by their number, newest first (read after the offer, never on its path). */
  callsFrom(callerNumber: string, exceptCallId: string, limit: number): Promise<PastCallRow[]>;
  /** Which of these people may no longer work (deactivated in the portal, or removed). */
  inactiveAmong(userIds: string[]): Promise<string[]>;
  /**
   * Every active operator with when their state last changed (null: never signed in), for the
   * supervision roster; read when a supervisor subscribes, never on a call's path.
   */
  operators(): Promise<Array<{ id: string; name: string; lastChangeAt: Date | null }>>;
  /** Every queue by name (the transfer picker; read on the operator's request, never on a call's path). */
  queues?(): Promise<Array<{ id: string; name: string }>>;
  /** Whether an enabled outbound trunk exists (a transfer to an outside number needs one). */
  hasOutboundTrunk?(): Promise<boolean>;
  /** The calls that arrived in [start, end) with their answered/transferred events (the wallboard's seed at boot). */
  callFacts?(start: Date, end: Date): Promise<CallFacts[]>;
  /** The calls with no end stored (read once when the CTI starts: recovery, call-recovery.ts). */
  openCalls?(): Promise<OpenCall[]>;
}

/** The operators' own mobile numbers (optional: without it the CTI offers no mobile device). */
export interface MobileStore {
  mobileOf(userId: string): Promise<{ e164: string | null; verifiedAt: Date | null }>;
  setMobile(userId: string, e164: string, verifiedAt: Date | null): Promise<void>;
}
