import { ALLOW, SUPPORTED } from '../signalling/capabilities';
import { makeResponse } from '../sip/builders';
import { parseParams } from '../sip/headers';
import type { SipMessage, SipRequest, SipResponse } from '../sip/message';
import type { IncomingRequest } from '../sip/message-fields';
import type { Flow } from '../transport/flow';
import type { CallContext } from './call-context';
import type { Leg } from './leg';
import type { PartyReoffer } from './party-reoffer';
import { sameSession } from './sdp-checks';

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

// ───────────────────────────── the ACD's side of the party dialog ─────────────────────────────

/** A negotiation as the UAC (the device's 2xx chose the refresher). */
export interface UacNegotiation {
  kind: 'uac';
  intervalSec: number;
  localRefreshes: boolean;
}

/**
 * Session refresh on party dialogs: answers a party's re-INVITE/UPDATE that only refreshes
 * (no SDP, or the same SDP but for the o= version) with the current local SDP, passes a
 * real media change to PartyReoffer, and keeps each leg's SessionTimer — refreshing when
 * the ACD is the refresher, ending the leg when the party let the session expire.
 */
export class SessionRefresh {
  constructor(
    private readonly ctx: CallContext,
    private readonly reoffer: PartyReoffer,
  ) {}

  /** The ACD's limits as a UAS (Min-SE, the interval it grants). */
  negotiate(req: SipRequest): UasNegotiation {
    return negotiateAsUas(req, { minSec: this.ctx.timers.minSessionExpiresSec, maxSec: this.ctx.timers.sessionExpiresSec });
  }

  /** A party's re-INVITE or UPDATE. */
  onPartyRefresh(leg: Leg, req: IncomingRequest, flow: Flow, reply: (res: SipResponse) => void): void {
    const neg = this.negotiate(req);
    if (neg.kind === 'too-small') return reply(tooSmall(req, neg.minSe));
    const isInvite = req.method.toUpperCase() === 'INVITE';
    if (req.body && !sameSession(leg.remoteSdp, req.body)) return this.reoffer.handle(leg, req, flow, reply);
    const contact = req.fields.contact;
    if (contact && leg.partyDialog) leg.partyDialog.remoteTarget = contact.uri; // target refresh (§12.2.2)
    if (leg.session || neg.kind === 'granted') this.start(leg, neg);
    const headers: Array<[string, string]> = [['Contact', this.ctx.local.contact(flow)], ['Allow', ALLOW], ['Supported', SUPPORTED]];
    if (neg.kind === 'granted') headers.push(...neg.headers);
    // an UPDATE without SDP is answered without SDP; a re-INVITE always carries our current SDP
    const withSdp = (isInvite || req.body) && leg.localSdp;
    if (withSdp) headers.push(['Content-Type', 'application/sdp']);
    leg.log.debug({ method: req.method, sessionSec: neg.kind === 'granted' ? neg.intervalSec : null }, 'session refreshed');
    reply(makeResponse(req, 200, { headers, body: withSdp ? (leg.localSdp ?? '') : '' }));
  }

  /** (Re)starts a party dialog's session timer after a negotiation or a refresh. */
  start(leg: Leg, neg: UasNegotiation | UacNegotiation): void {
    if (neg.kind === 'too-small') return;
    if (neg.kind === 'none') {
      leg.session?.refreshed();
      return;
    }
    const intervalSec = neg.intervalSec;
    const local = neg.kind === 'uac' ? neg.localRefreshes : neg.refresher === 'uas';
    if (leg.session && leg.session.intervalSec === intervalSec && leg.session.local === local) return leg.session.refreshed();
    leg.session?.stop();
    leg.session = new SessionTimer(
      intervalSec,
      local,
      () => this.refresh(leg),
      () => {
        leg.log.warn({ intervalSec }, 'session not refreshed in time');
        leg.close('session-expired', { byeParty: true });
      },
    );
  }

  /** The device's 2xx named a Session-Expires: its refresher decides (§7.2; uac means the ACD). */
  startFromAnswer(leg: Leg, res: SipResponse): void {
    const se = parseSessionExpires(res.headers.get('Session-Expires'));
    if (se) this.start(leg, { kind: 'uac', intervalSec: Math.max(se.deltaSec, this.ctx.timers.minSessionExpiresSec), localRefreshes: se.refresher === 'uac' });
  }

  /** The ACD is the refresher: a re-INVITE with the unchanged local SDP (or UPDATE when allowed). */
  private refresh(leg: Leg): void {
    const dialog = leg.partyDialog;
    const timer = leg.session;
    if (!dialog || !timer || leg.ended) return;
    const se: Array<[string, string]> = [['Session-Expires', `${timer.intervalSec};refresher=${leg.kind === 'caller' ? 'uas' : 'uac'}`], ['Supported', SUPPORTED]];
    const req = leg.peerAllowsUpdate ? dialog.request('UPDATE', se) : dialog.request('INVITE', se, leg.localSdp ?? '');
    const seq = dialog.localSeq;
    this.ctx.clientTx.send(req, dialog.flow, (res, _local, tx) => {
      if (res.status < 200) return;
      if (res.status < 300) {
        if (req.method === 'INVITE') this.ctx.clientTx.ack2xx(tx, dialog.ack(seq));
        leg.session?.refreshed();
        return;
      }
      if (res.status === 408 || res.status === 481) {
        leg.log.warn({ status: res.status }, 'session refresh failed');
        leg.close('session-expired', { byeParty: res.status === 408 });
      } else {
        // any other failure leaves the session as it is (§10): try again at the next half interval
        leg.session?.refreshed();
      }
    });
  }
}

/** 422 with the ACD's Min-SE (RFC 4028 §6). */
export function tooSmall(req: SipRequest, minSe: number): SipResponse {
  return makeResponse(req, 422, { reason: 'Session Interval Too Small', headers: [['Min-SE', String(minSe)]] });
}
