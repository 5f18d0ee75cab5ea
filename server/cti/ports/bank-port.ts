import type { LegEndCause } from '../../shared/sip-control';

/**
 * The CTI's door to the ACD, as the service sees it: legs offered to the route point, legs
 * ended, dials of devices, releases. `ua-bank/ua-bank.ts` implements it over JsSIP; tests use
 * `test-support/scripted-bank.ts`. The bank knows legs and dialogs, never operators or calls.
 *
 * Contract:
 * - Listeners MUST NOT be able to break the bank: a throwing listener is reported, not fatal.
 * - `legEnded` fires when the ACD ended a leg, never for the bank's own `release()`.
 * - `dial()` never throws: a dial that cannot start settles `failed` at once.
 */

/** The ACD offered a caller's leg to the route point and the bank answered its control dialog. */
export interface LegOffered {
  legId: string;
  dialed: string;
  callerName: string;
  callerUri: string;
  audio: string | null;
  controlSessionId: string;
}

/** The ACD ended a leg (BYE on its control dialog, or the dialog failed). */
export interface LegEnded {
  legId: string;
  cause: LegEndCause;
}

/** A party pressed a key on a leg (the ACD's INFO application/dtmf-relay on its control dialog). */
export interface DtmfPressed {
  legId: string;
  digit: string;
}

export type BankEvents = {
  legOffered: LegOffered;
  legEnded: LegEnded;
  registered: { ua: string };
  registrationLost: { ua: string; reason: string };
  dtmf: DtmfPressed;
};

export interface DialRequest {
  /** SIP URI of the device, e.g. sip:dev-…@patchbay.local */
  deviceUri: string;
  /** the caller's leg the ACD bridges the device to; null = a number check (answered, bridged to nothing) */
  bridgeTo: string | null;
  ringTimeoutSec: number;
}

export type DialOutcome = { kind: 'answered'; legId: string } | { kind: 'failed'; status: number; cause: string };

export type DialHandleEvents = {
  ringing: void;
  answered: { legId: string };
  failed: { status: number; cause: string };
};

/** One dial in progress. `outcome` settles once: answered or failed (never rejects). */
export interface DialHandle {
  readonly outcome: Promise<DialOutcome>;
  /** Adds a listener; the returned function removes it. */
  on<K extends keyof DialHandleEvents>(event: K, listener: (payload: DialHandleEvents[K]) => void): () => void;
  /** Withdraws the dial (CANCEL); `failed` fires with status 487 unless it already settled. */
  cancel(): void;
}

export interface BankPort {
  /** Adds a listener; the returned function removes it. */
  on<K extends keyof BankEvents>(event: K, listener: (payload: BankEvents[K]) => void): () => void;
  off<K extends keyof BankEvents>(event: K, listener: (payload: BankEvents[K]) => void): void;
  /** false while no bank UA is registered: the CTI then offers nothing (no operator is rung). */
  isReady(): boolean;
  dial(req: DialRequest): DialHandle;
  /** Sends BYE on the control dialog of a leg (caller or device). False when the leg is unknown. */
  release(legId: string): boolean;
}
