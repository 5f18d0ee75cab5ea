import type { CallOutcome, EndedBy, TimelineEvent } from '../../contracts/call';
import type { QueueMembership } from '../domain/routing';

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
  members: QueueMembership[];
}

export interface NewCallRow {
  id: string;
  acdLegId: string;
  dialed: string;
  callerId: string;
  queueId: string | null;
  arrivedAt: Date;
}

export interface CallRowPatch {
  queueId?: string | null;
  operatorId?: string | null;
  offeredAt?: Date;
  answeredAt?: Date;
  endedAt?: Date;
  endedBy?: EndedBy;
  outcome?: CallOutcome;
}

export interface CallEventRow {
  callId: string;
  /** 1, 2, … in the order the events happened */
  seq: number;
  type: TimelineEvent;
  at: Date;
  data?: Record<string, unknown>;
}

export interface CtiStore {
  /** The queue a dialled number leads to, with its members; null when the number is not served. */
  queueForNumber(e164: string): Promise<QueueInfo | null>;
  /** The queue by id with its current members (re-read when operators become ready). */
  queue(id: string): Promise<QueueInfo | null>;
  createCall(row: NewCallRow): Promise<void>;
  updateCall(id: string, patch: CallRowPatch): Promise<void>;
  appendCallEvent(ev: CallEventRow): Promise<void>;
  logAgentState(row: { userId: string; from: string; to: string; reason: string; at: Date }): Promise<void>;
  /** Which of these people may no longer work (deactivated in the portal, or removed). */
  inactiveAmong(userIds: string[]): Promise<string[]>;
  /**
   * Every active operator with when their state last changed (null: never signed in), for the
   * supervision roster; read when a supervisor subscribes, never on a call's path.
   */
  operators(): Promise<Array<{ id: string; name: string; lastChangeAt: Date | null }>>;
}

/** The operators' own mobile numbers (optional: without it the CTI offers no mobile device). */
export interface MobileStore {
  mobileOf(userId: string): Promise<{ e164: string | null; verifiedAt: Date | null }>;
  setMobile(userId: string, e164: string, verifiedAt: Date | null): Promise<void>;
}
