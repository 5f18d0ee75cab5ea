import type { LegQuality } from '../../contracts/call-quality';
import type { LegEndCause } from '../../shared/sip-control';
import type { ReachNotice } from '../../shared/sip-reach';
import type { LegControlPort, MixRoleRequest } from './leg-control-port';

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
  /** the caller's arrival, when known from earlier (a recovered leg with no stored call); default now */
  arrivedAt?: number;
}

/**
 * A leg the ACD still held when a bank UA registered again, re-offered with its state
 * (X-PB-Recovered, docs/sip-control-dialect.md "Recovery"); the bank answered its new control dialog.
 */
export interface LegRecovered {
  legId: string;
  kind: 'caller' | 'device';
  state: 'parked' | 'bridged' | 'held' | 'waiting' | 'mixed';
  /** when the leg began (a caller's arrival), ms since the epoch */
  since: number;
  peer: string | null;
  /** a caller's dialled number and hold audio (null for a device) */
  dialed: string | null;
  audio: string | null;
  callerName: string;
  callerUri: string;
  /** a parked caller another CTI node handed to this one (X-PB-Handoff: that node); absent for a recovery */
  handoffFrom?: string;
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

/** How a party's audio reaches the ACD, told every few seconds during a call (docs/sip-control-dialect.md, *Call quality*). */
export interface QualityReported {
  legId: string;
  quality: LegQuality;
}

export type BankEvents = {
  legOffered: LegOffered;
  legRecovered: LegRecovered;
  legEnded: LegEnded;
  registered: { ua: string };
  registrationLost: { ua: string; reason: string };
  dtmf: DtmfPressed;
  quality: QualityReported;
  /** the ACD's registrar told which device AORs it holds (docs/sip-control-dialect.md, *Device reach*) */
  devices: ReachNotice;
  /** several ACD nodes: a device became reachable or unreachable from some node (routing looks again) */
  reachChanged: void;
};

export interface DialRequest {
  /** SIP URI of the device, e.g. sip:dev-…@patchbay.local */
  deviceUri: string;
  /** the caller's leg the ACD bridges the device to; null = a number check (answered, bridged to nothing) */
  bridgeTo: string | null;
  ringTimeoutSec: number;
  /** Instead of `bridgeTo`: on answer the device joins this leg's call in a mixing bridge (monitoring, conference). */
  join?: { legId: string } & MixRoleRequest;
  /** ask the ACD to record the bridge (X-PB-Record: on); the answer names the file */
  record?: boolean;
  /** ring-all: this dial rings together with others for the same caller (X-PB-Parallel: on) */
  parallel?: boolean;
  /**
   * press-1 accept (X-PB-Confirm): on answer the ACD plays this clip to the device only and does not
   * bridge; `answered` then means "the device picked up and is being asked" — the CTI bridges with
   * `controls.bridge(callerLeg, deviceLeg)` on the digit 1, or releases the device. Not with `record`.
   */
  confirm?: string;
  /** a queued callback's number dial (no bridge): the inbound caller's leg it calls back (X-PB-Callback-For); the ACD checks the number is theirs */
  callbackFor?: string;
  /** with `record`: the clip that tells the caller before the bridge (X-PB-Notice) */
  notice?: string;
}

/** `recording`: the file the ACD records the bridge to (X-PB-Recording), when recording was asked and granted. */
/** `told`: the ACD played the notice to the caller before the bridge (it echoed X-PB-Notice). */
export type DialOutcome = { kind: 'answered'; legId: string; recording?: string; told?: boolean } | { kind: 'failed'; status: number; cause: string };

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

/** The ACD's answer to starting or stopping a recording on demand; `recording` names the file. */
/** `told`: the caller heard the notice as the recording started. */
export type RecordAnswer = { ok: true; recording: string | null; told?: boolean } | { ok: false; status: number; reason: string };

export interface BankPort {
  /** Adds a listener; the returned function removes it. */
  on<K extends keyof BankEvents>(event: K, listener: (payload: BankEvents[K]) => void): () => void;
  off<K extends keyof BankEvents>(event: K, listener: (payload: BankEvents[K]) => void): void;
  /** false while no bank UA is registered: the CTI then offers nothing (no operator is rung). */
  isReady(): boolean;
  dial(req: DialRequest): DialHandle;
  /** Sends BYE on the control dialog of a leg (caller or device). False when the leg is unknown. */
  release(legId: string): boolean;
  /**
   * Has the ACD play clips (in turn) to a parked caller and then release it or play its music
   * again (the announcement primitive: INFO with X-PB-Play / X-PB-Then). Resolves with the ACD's
   * answer (200: playing; after a release the leg's end follows as `legEnded` with cause
   * `played`, or `remote-bye` if the caller leaves first; 486: the leg is busy, e.g. being
   * dialled); 481 when the bank holds no such caller leg. Never rejects.
   */
  announce(legId: string, clips: string[], then?: 'release' | 'music'): Promise<number>;
  /**
   * Starts (`on`) or stops recording the bridge of a leg (INFO with X-PB-Record on its control
   * dialog). The answer to `off` comes once the file is finalised. `notice`: the clip the caller
   * alone hears as it starts (X-PB-Notice). Never rejects.
   */
  record(legId: string, on: boolean, notice?: string): Promise<RecordAnswer>;
  /** In-call requests on a leg's control dialog (hold, mute, DTMF, re-bridge, mixing). */
  readonly controls: LegControlPort;
  /**
   * Several CTI nodes: hands a parked caller's control to a bank UA of `node` (the ACD re-offers the
   * leg there with its arrival). 200: moved — this bank no longer holds it and reports no end of it;
   * anything else: nothing moved. Absent: the bank cannot (one node, tests' scripted bank). Never rejects.
   */
  handoff?(legId: string, node: string): Promise<number>;
  /**
   * Several ACD nodes: whether the node holding `legId` (a caller's, or one it offered and
   * remembers) can ring the device: mobiles and numbers always, a granted device (`dev-…`) only
   * where it registered. Absent (one node): every device counts as reachable, the dial tells.
   */
  reaches?(deviceUri: string, legId: string): boolean;
}
