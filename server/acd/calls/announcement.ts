import { ANNOUNCE_H, parseAnnounce, type ThenAction } from '../../shared/sip-announce';
import { makeResponse } from '../sip/builders';
import type { SipRequest, SipResponse } from '../sip/message';
import type { CallContext } from './call-context';
import type { Leg } from './leg';

/** An announcement in progress on a leg: the clip playing, the ones after it, then what. */
interface Playing {
  clip: string;
  rest: string[];
  then: ThenAction;
}

/**
 * The announcement primitive (docs/sip-control-dialect.md, "Announcements"): an INFO from the
 * controller on a parked caller's control dialog with `X-PB-Play: <clip>[,<clip>…]` and
 * `X-PB-Then: release | music`. The ACD answers 200 at once and plays the clips once each, in
 * turn, instead of the hold music; after the last one it either BYEs the caller and BYEs the
 * control dialog with `X-PB-Cause: played` (`release`), or plays the leg's hold music again
 * (`music`: the waiting callers' position and wait announcements). A caller who hangs up
 * meanwhile ends as usual (`remote-bye`); the controller's own BYE meanwhile releases at once.
 * A `music` announcement gives way: a dial that bridges the leg stops it (the bridge stops the
 * clip), and a newer announcement replaces it.
 *
 * Refused: headers that fail their schema → 400 naming the header; a leg that is not a parked
 * caller, is being dialled, or is already announcing its release → 486 Leg Busy; no media → 480.
 */
export class Announcements {
  /** legs whose announcement is playing (weak: an ended leg takes its entry with it) */
  private readonly playing = new WeakMap<Leg, Playing>();
  private readonly listening = new WeakSet<object>();

  constructor(private readonly ctx: CallContext) {}

  /** Whether an INFO on a control dialog asks for an announcement (else the router answers 501). */
  static asks(req: SipRequest): boolean {
    return req.headers.has(ANNOUNCE_H.play);
  }

  /** The controller's INFO on `leg`'s control dialog. */
  controlInfo(leg: Leg, req: SipRequest): SipResponse {
    const asked = parseAnnounce((n) => req.headers.get(n) ?? undefined);
    if (!asked.ok) {
      leg.log.warn({ header: asked.header, message: asked.message }, 'announcement refused: bad header');
      return makeResponse(req, 400, { reason: `Bad ${asked.header}` });
    }
    const current = this.playing.get(leg);
    if (leg.kind !== 'caller' || leg.state !== 'parked' || this.ctx.table.isBeingDialled(leg) || current?.then === 'release') {
      return makeResponse(req, 486, { reason: 'Leg Busy' });
    }
    const ep = leg.endpoint;
    if (!ep) return makeResponse(req, 480, { reason: 'No Media' });
    const [clip, ...rest] = asked.value.clips as [string, ...string[]];
    const { then } = asked.value;
    if (!this.listening.has(ep)) {
      this.listening.add(ep);
      // one listener per endpoint (the engine has no off()); it acts only while an announcement is pending
      ep.onPlayDone((done) => this.clipDone(leg, done));
    }
    this.playing.set(leg, { clip, rest, then });
    leg.log.info({ clips: asked.value.clips, then }, `announcement: playing, then ${then}`);
    ep.play(clip, { loop: false });
    return makeResponse(req, 200);
  }

  private clipDone(leg: Leg, done: string): void {
    const p = this.playing.get(leg);
    // a clip of an announcement that gave way (bridged, replaced) is not ours to follow
    if (!p || p.clip !== done) return;
    if (leg.ended || leg.state !== 'parked' || !leg.endpoint) return void this.playing.delete(leg);
    const next = p.rest.shift();
    if (next !== undefined) {
      p.clip = next;
      leg.endpoint.play(next, { loop: false });
      return;
    }
    this.playing.delete(leg);
    if (p.then === 'music') {
      leg.log.debug('announcement played; hold music again');
      leg.endpoint.play(leg.extra.holdAudio ?? 'default');
      return;
    }
    leg.log.info({ clip: done }, 'announcement played; releasing the caller');
    leg.close('played', { byeParty: true });
  }
}
