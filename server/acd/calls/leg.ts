import type { Logger } from 'pino';
import type { LegEndCause } from '../../shared/sip-control';
import type { MixMode } from '../../shared/sip-control-ops';
import type { ClientTx } from '../client-transactions';
import type { Dialog } from '../dialog';
import type { MediaBridge, MediaEndpoint } from '../media/media-engine';
import type { NameAddr } from '../sip/headers';
import type { Flow } from '../transport/flow';
import { INITIAL_STATE, legTransition, type ControlState, type LegEvent, type LegKind, type LegState } from './leg-state';
import { stopLegRecording, type LegRecordingState } from './leg-recording';

export type { ControlState, LegKind, LegState } from './leg-state';

export interface LegSnapshot {
  legId: string;
  kind: LegKind;
  state: LegState;
  control: ControlState;
  /** SIP Call-ID of the party's dialog. */
  callId: string;
  bridgedTo: string | null;
  dialed: string | null;
  holdAudio: string | null;
  /** A held leg's peer, the one `resume` bridges it back to. */
  heldWith: string | null;
  muted: boolean;
  /** The mixing bridge the leg is in, and what it contributes there. */
  mix: { mixId: string; mode: MixMode; whisperTo: string | null } | null;
}

/** A leg's seat in a mixing bridge (calls/mixing.ts owns it). */
export interface LegMixSeat {
  readonly mixId: string;
  readonly mode: MixMode;
  readonly whisperTo: string | null;
  /** Plays a clip once to this leg alone while the others go on hearing each other and it (MediaMix.tell). */
  tell(clip: string): boolean;
  /** Takes the leg out of the mix (its media too); members left alone are put back by the mix. */
  leave(): void;
}

/** The leg's RFC 4028 timer as the leg sees it (SessionTimer in session-refresh.ts). */
export interface LegSessionTimer {
  readonly intervalSec: number;
  /** The ACD is the refresher. */
  readonly local: boolean;
  refreshed(): void;
  stop(): void;
}

/**
 * What closing a leg does outside the leg itself (signalling, the leg table), called by
 * `Leg.close()` in this order. Implemented by LegRelease.
 */
export interface LegCloseHooks {
  /** The party's dialog: BYE it when asked, and forget it. */
  partyClosed(leg: Leg, byeParty: boolean): void;
  /** The bridge peer left behind: it is NOT released (a caller goes back to music, a device waits). */
  peerLeft(peer: Leg): void;
  /** The control dialog: BYE with the cause unless the controller released the leg; a pending offer is cancelled. */
  controlClosed(leg: Leg, cause: LegEndCause, dialog: Dialog | null): void;
  /** Last: dials that depended on the leg fail, the leg table forgets it. */
  closed(leg: Leg): void;
}

/** Keeps counts of legs by state as they move (leg-table.ts). */
export interface LegCensus {
  added(kind: LegKind, state: LegState): void;
  moved(kind: LegKind, from: LegState, to: LegState): void;
}

/** One party's call in the ACD. States and events: leg-state.ts. */
export class Leg {
  private at: { state: LegState; control: ControlState };
  endCause: LegEndCause | null = null;
  partyDialog: Dialog | null = null;
  controlDialog: Dialog | null = null;
  endpoint: MediaEndpoint | null = null;
  bridge: { peer: Leg; handle: MediaBridge } | null = null;
  /** While held: the peer it was bridged to (it may end or be bridged elsewhere meanwhile). */
  heldWith: Leg | null = null;
  muted = false;
  mix: LegMixSeat | null = null;
  /** The leg's running recording (leg-recording.ts), which outlives bridges, holds and mixes. */
  recording: LegRecordingState | null = null;
  /** Recordings started on this leg so far (the n-th file's name ends `-<n>`). */
  recordings = 0;
  /** The pending INVITE offering this leg to the route point. */
  routeTx: ClientTx | null = null;
  routeAttempts = 0;
  /** The party's SDP and ours, as last agreed (a refresh re-INVITE is answered with ours). */
  remoteSdp: string | null = null;
  localSdp: string | null = null;
  /** RFC 4028 timer on the party dialog, when one was negotiated. */
  session: LegSessionTimer | null = null;
  /** The party listed UPDATE in Allow: session refreshes use it instead of re-INVITE. */
  peerAllowsUpdate = false;
  /** When the leg began (a caller's arrival, a device's dial): told in a recovery re-offer (leg-recovery.ts). */
  readonly startedAt = Date.now();
  /** The pending re-offer of this leg to a bank UA that registered again (leg-recovery.ts). */
  recoveryTx: ClientTx | null = null;
  /** A device whose connection closed mid-call, kept until it comes back or its grace ends (device-grace.ts): the grace's cancel. */
  reconnecting: (() => void) | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Set by the leg table when the leg is added: told of each party-state change (the overload guard's count). */
  census: LegCensus | null = null;

  constructor(
    readonly id: string,
    readonly kind: LegKind,
    /** Call-ID of the party's dialog. */
    readonly callId: string,
    /** The flow the party is reached on (its loss ends the leg, or starts a device's grace: device-grace.ts). */
    private flow: Flow,
    /** The party's identity (caller's From), shown to the CTI and to the device. */
    readonly partyAddr: NameAddr,
    readonly log: Logger,
    private readonly hooks: LegCloseHooks,
    /** `device`: the registered AOR user a device leg was dialled at (a re-anchor must come from it). */
    readonly extra: { dialed?: string; holdAudio?: string; device?: string; busyAudio?: string } = {},
  ) {
    this.at = { state: INITIAL_STATE[kind], control: 'none' };
  }

  get partyFlow(): Flow {
    return this.flow;
  }

  /** The party came back on another connection (device-grace.ts): its dialog goes there too. */
  reanchor(flow: Flow): void {
    this.flow = flow;
    this.partyDialog?.moveTo(flow);
  }

  get state(): LegState {
    return this.at.state;
  }

  get control(): ControlState {
    return this.at.control;
  }

  get ended(): boolean {
    return this.at.state === 'ended';
  }

  /** The one place a leg changes state (party or control); refuses moves the table lacks. */
  transition(event: LegEvent): boolean {
    const r = legTransition(this.kind, this.at, event);
    if (!r.ok) {
      this.log.warn({ state: this.at.state, control: this.at.control, event }, 'illegal leg transition refused');
      return false;
    }
    this.log.debug({ from: this.at, to: r.next, event }, 'leg state');
    if (this.census && r.next.state !== this.at.state) this.census.moved(this.kind, this.at.state, r.next.state);
    this.at = r.next;
    return true;
  }

  /**
   * Ends the leg: its timers, session timer, bridge (the peer is told, not released), media,
   * then the hooks for its dialogs. Idempotent: false when it had already ended.
   */
  close(cause: LegEndCause, opts: { byeParty: boolean }): boolean {
    if (this.ended || !this.transition('close')) return false;
    this.endCause = cause;
    this.stopTimers();
    this.log.debug({ cause }, 'leg ended');
    this.hooks.partyClosed(this, opts.byeParty);
    const peer = this.detachBridge();
    if (peer) this.hooks.peerLeft(peer);
    this.leaveMix();
    this.heldWith = null;
    // the recording ends with the leg (finalised in the background; the controller waits for the header)
    void stopLegRecording(this);
    const ep = this.endpoint;
    this.endpoint = null;
    ep?.close().catch((err: unknown) => this.log.warn({ err }, 'endpoint close failed'));
    this.hooks.controlClosed(this, cause, this.controlDialog);
    this.hooks.closed(this);
    return true;
  }

  /**
   * The ACD is stopping: the leg's timers and media go, with no signalling and no peer told.
   * Resolves once a recording is finalised and the endpoint closed; never rejects.
   */
  shutdown(): Promise<void> {
    const closing: Array<Promise<void>> = [];
    if (!this.ended) this.transition('close');
    this.stopTimers();
    if (this.bridge) {
      this.bridge.handle.unbridge();
      // a recording is finalised (RIFF sizes written) before the ACD's stop() resolves
      closing.push(this.bridge.handle.finished().catch(() => {}));
    }
    closing.push(stopLegRecording(this).then(() => {}, () => {}));
    if (this.endpoint) closing.push(this.endpoint.close().catch(() => {}));
    return Promise.all(closing).then(() => {});
  }

  /** Runs `fn` after `ms` unless the leg ends first; returns a cancel. */
  after(ms: number, fn: () => void): () => void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return () => {
      clearTimeout(t);
      this.timers.delete(t);
    };
  }

  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  snapshot(): LegSnapshot {
    return {
      legId: this.id,
      kind: this.kind,
      state: this.at.state,
      control: this.at.control,
      callId: this.callId,
      bridgedTo: this.bridge?.peer.id ?? null,
      dialed: this.extra.dialed ?? null,
      holdAudio: this.extra.holdAudio ?? null,
      heldWith: this.heldWith?.id ?? null,
      muted: this.muted,
      mix: this.mix ? { mixId: this.mix.mixId, mode: this.mix.mode, whisperTo: this.mix.whisperTo } : null,
    };
  }

  private stopTimers(): void {
    this.clearTimers();
    this.session?.stop();
    this.session = null;
  }

  /** Leaves the mixing bridge, if in one (no state change: the caller moves the leg on). */
  leaveMix(): void {
    const seat = this.mix;
    this.mix = null;
    seat?.leave();
  }

  /** Undoes the bridge on both legs; returns the peer left behind (not moved: the caller does). */
  detachBridge(): Leg | null {
    if (!this.bridge) return null;
    const { peer, handle } = this.bridge;
    handle.unbridge();
    this.bridge = null;
    peer.bridge = null;
    return peer;
  }
}
