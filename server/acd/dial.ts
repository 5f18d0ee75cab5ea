import type { ClientTx } from './client-transactions';
import type { Leg } from './leg';
import type { ServerInvite } from './server-transactions';

/**
 * A dial in progress: the bank's INVITE (server side) waiting on the device's INVITE
 * (client side). Ends exactly once: bridged (200 to the bank) or failed (one status).
 */
export class Dial {
  done = false;
  deviceTx: ClientTx | null = null;
  ringTimer: NodeJS.Timeout | null = null;
  /** The controller asked for a recording of the bridge (X-PB-Record: on). */
  record = false;

  constructor(
    readonly leg: Leg,
    /** the parked caller to bridge to; null for a number check (no bridge) */
    readonly caller: Leg | null,
    readonly st: ServerInvite,
    /** The ACD's tag on the control dialog this dial creates. */
    readonly toTag: string,
    readonly ringSec: number,
  ) {}

  finish(): boolean {
    if (this.done) return false;
    this.done = true;
    if (this.ringTimer) clearTimeout(this.ringTimer);
    this.ringTimer = null;
    return true;
  }
}

/** Device failure → status to the bank (docs/sip-control-dialect.md, "Failure answers"). */
export function mapDeviceFailure(status: number, local: boolean): number {
  if (local) return status === 408 ? 408 : 480;
  if (status === 486 || status === 600) return 486;
  if (status === 603) return 603;
  return 480;
}
