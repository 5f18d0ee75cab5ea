import type { SipMessage, SipRequest } from './sip/message';
import { parseParams } from './sip/headers';

/**
 * RFC 4028 session timers on a party dialog. One side — the refresher — sends a
 * re-INVITE or UPDATE before the interval runs out; the other ends the dialog when no
 * refresh came in time (§10: BYE at interval − min(32 s, interval/3)).
 */
export type Refresher = 'uac' | 'uas';

export interface SessionExpires {
  deltaSec: number;
  refresher: Refresher | null;
}

export function parseSessionExpires(raw: string | undefined): SessionExpires | null {
  if (!raw) return null;
  const m = /^\s*(\d{1,10})\s*(;.*)?$/.exec(raw);
  if (!m) return null;
  const r = parseParams(m[2] ?? '').get('refresher')?.toLowerCase();
  return { deltaSec: Number(m[1]), refresher: r === 'uac' || r === 'uas' ? r : null };
}

export function parseMinSe(raw: string | undefined): number | null {
  const m = raw ? /^\s*(\d{1,10})\s*(;.*)?$/.exec(raw) : null;
  return m ? Number(m[1]) : null;
}

/** True when a message lists an option tag in Supported (or its compact form, expanded by the parser). */
export function supports(msg: SipMessage, tag: string): boolean {
  return msg.headers.getAll('Supported').some((v) => v.trim().toLowerCase() === tag);
}

export type UasNegotiation =
  /** Session-Expires below our Min-SE: answer 422 with `Min-SE`. */
  | { kind: 'too-small'; minSe: number }
  /** No session timer asked for. */
  | { kind: 'none' }
  | { kind: 'granted'; intervalSec: number; refresher: Refresher; headers: Array<[string, string]> };

/**
 * The ACD answering an INVITE or UPDATE (§9). It grants the interval asked for (lowered
 * to `maxSec` but never below the request's Min-SE), lets the UAC refresh when it
 * supports timers unless it asked otherwise, and refreshes itself when it does not.
 */
export function negotiateAsUas(req: SipRequest, opts: { minSec: number; maxSec: number }): UasNegotiation {
  const se = parseSessionExpires(req.headers.get('Session-Expires'));
  if (!se) return { kind: 'none' };
  if (se.deltaSec < opts.minSec) return { kind: 'too-small', minSe: opts.minSec };
  const floor = Math.max(parseMinSe(req.headers.get('Min-SE')) ?? 0, opts.minSec);
  const intervalSec = Math.max(Math.min(se.deltaSec, opts.maxSec), floor);
  const uacSupports = supports(req, 'timer');
  const refresher: Refresher = !uacSupports ? 'uas' : (se.refresher ?? 'uac');
  const headers: Array<[string, string]> = [['Session-Expires', `${intervalSec};refresher=${refresher}`]];
  if (uacSupports) headers.push(['Require', 'timer']);
  return { kind: 'granted', intervalSec, refresher, headers };
}

/**
 * The timer of one dialog. `local` means the ACD is the refresher: `onRefreshDue` fires
 * at half the interval. Otherwise `onExpired` fires when the peer did not refresh.
 */
export class SessionTimer {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly intervalSec: number,
    readonly local: boolean,
    private readonly onRefreshDue: () => void,
    private readonly onExpired: () => void,
  ) {
    this.arm();
  }

  /** A refresh went through (either side): the interval starts again. */
  refreshed(): void {
    this.arm();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    this.stop();
    const s = this.intervalSec;
    const ms = this.local ? (s / 2) * 1000 : (s - Math.min(32, s / 3)) * 1000;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.local) this.onRefreshDue();
      else this.onExpired();
    }, ms);
  }
}

/** True when an SDP re-offer differs from the previous one at most in its o= version (a refresh). */
export { sameSession } from '../shared/sdp/sdp-document';
