import type { Logger } from 'pino';
import type { LegEndCause } from '../shared/sip-control';
import type { MediaBridge, MediaEndpoint } from './media/media-engine';
import type { Dialog } from './dialog';
import type { ClientTx } from './client-transactions';
import type { NameAddr } from './sip/headers';
import type { Flow } from './transport/flow';
import type { SessionTimer } from './session-timer';

/**
 * One party's call in the ACD.
 *
 * ```
 *  caller:  answering ──ACK──▶ parked ◀──unbridge──▶ bridged
 *  device:  ringing ──200──▶ bridged ──peer gone──▶ waiting
 *           ringing ──200, no caller (number check)──▶ waiting
 *  any state ──BYE / CANCEL / transport loss / release──▶ ended
 * ```
 *
 * `control` tracks the leg's control dialog with the CTI, independently of the party.
 */
export type LegKind = 'caller' | 'device';
export type LegState = 'answering' | 'parked' | 'ringing' | 'bridged' | 'waiting' | 'ended';
export type ControlState = 'none' | 'offering' | 'up' | 'ended';

const ALLOWED: Record<LegState, LegState[]> = {
  answering: ['parked', 'ended'],
  parked: ['bridged', 'ended'],
  ringing: ['bridged', 'waiting', 'ended'],
  bridged: ['parked', 'waiting', 'ended'],
  waiting: ['ended'],
  ended: [],
};

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
}

export class Leg {
  state: LegState;
  control: ControlState = 'none';
  endCause: LegEndCause | null = null;
  partyDialog: Dialog | null = null;
  controlDialog: Dialog | null = null;
  endpoint: MediaEndpoint | null = null;
  bridge: { peer: Leg; handle: MediaBridge } | null = null;
  /** The pending INVITE offering this leg to the route point. */
  routeTx: ClientTx | null = null;
  routeAttempts = 0;
  /** The party's SDP and ours, as last agreed (a refresh re-INVITE is answered with ours). */
  remoteSdp: string | null = null;
  localSdp: string | null = null;
  /** RFC 4028 timer on the party dialog, when one was negotiated. */
  session: SessionTimer | null = null;
  /** The party listed UPDATE in Allow: session refreshes use it instead of re-INVITE. */
  peerAllowsUpdate = false;
  readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly id: string,
    readonly kind: LegKind,
    /** Call-ID of the party's dialog. */
    readonly callId: string,
    /** The flow the party is reached on (its loss ends the leg). */
    readonly partyFlow: Flow,
    /** The party's identity (caller's From), shown to the CTI and to the device. */
    readonly partyAddr: NameAddr,
    readonly log: Logger,
    readonly extra: { dialed?: string; holdAudio?: string } = {},
  ) {
    this.state = kind === 'caller' ? 'answering' : 'ringing';
  }

  get ended(): boolean {
    return this.state === 'ended';
  }

  /** The one place a leg changes state; refuses illegal moves. */
  transition(to: LegState): boolean {
    if (!ALLOWED[this.state].includes(to)) {
      this.log.warn({ from: this.state, to }, 'illegal leg transition refused');
      return false;
    }
    this.log.debug({ from: this.state, to }, 'leg state');
    this.state = to;
    return true;
  }

  after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  snapshot(): LegSnapshot {
    return {
      legId: this.id,
      kind: this.kind,
      state: this.state,
      control: this.control,
      callId: this.callId,
      bridgedTo: this.bridge?.peer.id ?? null,
      dialed: this.extra.dialed ?? null,
      holdAudio: this.extra.holdAudio ?? null,
    };
  }
}
