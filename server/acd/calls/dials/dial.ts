import type { ClientTx } from '../../client-transactions';
import type { ServerInvite } from '../../server-transactions';
import type { DigestClient } from '../../sip/client-digest';
import type { SipRequest } from '../../sip/message';
import type { Leg } from '../leg';
import type { MixRole } from '../mixing';
import { dialTransition, isFinal, type DialEvent, type DialState } from './dial-state';

/** A dial in progress (states: dial-state.ts). Its ring timer goes with its end. */
export class Dial {
  private current: DialState = 'preparing';
  deviceTx: ClientTx | null = null;
  ringTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly leg: Leg,
    /** the parked caller to bridge to; null for a number check (no bridge) */
    readonly caller: Leg | null,
    readonly st: ServerInvite,
    /** The ACD's tag on the control dialog this dial creates. */
    readonly toTag: string,
    readonly ringSec: number,
    /** The controller asked for a recording of the bridge (X-PB-Record: on). */
    readonly record: boolean,
    /** X-PB-Join: on answer the leg joins this leg's call in a mixing bridge. */
    readonly join: { legId: string; role: MixRole } | null = null,
    /** X-PB-Notice: the clip the caller hears before the recorded bridge */
    readonly notice: string | null = null,
    /** X-PB-Confirm: on answer play this clip to the device and leave it waiting (press-1 accept), no bridge */
    readonly confirm: string | null = null,
  ) {}

  /** The caller was (or is being) told with `notice` (echoed in the 200 as X-PB-Notice). */
  told = false;

  get state(): DialState {
    return this.current;
  }

  /** Connected or failed: nothing more is sent to the bank for this dial. */
  get done(): boolean {
    return isFinal(this.current);
  }

  /** The one place a dial changes state; refuses moves the table lacks. Ending clears the ring timer. */
  transition(event: DialEvent): boolean {
    const r = dialTransition(this.current, event);
    if (!r.ok) {
      this.leg.log.debug({ state: this.current, event }, 'dial transition refused');
      return false;
    }
    this.current = r.next;
    if (this.done && this.ringTimer) {
      clearTimeout(this.ringTimer);
      this.ringTimer = null;
    }
    return true;
  }
}

/** What the device INVITE's responses need to know (a re-sent INVITE has the next CSeq). */
export interface DeviceInvite {
  request: SipRequest;
  localTag: string;
  fromAddr: string;
  toAddr: string;
  auth: DigestClient | null;
  seq: number;
}

/** Device failure → status to the bank (docs/sip-control-dialect.md, "Failure answers"). */
export function mapDeviceFailure(status: number, local: boolean): number {
  if (local) return status === 408 ? 408 : 480;
  if (status === 486 || status === 600) return 486;
  if (status === 603) return 603;
  return 480;
}
