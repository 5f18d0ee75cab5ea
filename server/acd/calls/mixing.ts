import { randomBytes } from 'node:crypto';
import type { MixMode } from '../../shared/sip-control-ops';
import type { MediaMix } from '../media/media-engine';
import type { Bridging } from './bridging';
import type { CallContext } from './call-context';
import type { Leg, LegMixSeat } from './leg';
import { OK, type OpResult } from './leg-moves';

/** What a leg asks to be in a mix: its mode and, for whisper, the leg that hears it. */
export interface MixRole {
  mode: MixMode;
  whisperTo: string | null;
}

/** A mixing bridge as the calls layer sees it: its legs and their seats, over the media's mix. */
class CallMix {
  readonly id = `mix-${randomBytes(8).toString('hex')}`;
  readonly seats = new Map<Leg, Seat>();
  constructor(readonly media: MediaMix) {}
}

class Seat implements LegMixSeat {
  constructor(
    readonly mix: CallMix,
    readonly leg: Leg,
    public mode: MixMode,
    public whisperLeg: Leg | null,
    private readonly onLeave: (seat: Seat) => void,
  ) {}

  get mixId(): string {
    return this.mix.id;
  }

  get whisperTo(): string | null {
    return this.mode === 'whisper' ? (this.whisperLeg?.id ?? null) : null;
  }

  tell(clip: string): boolean {
    return this.leg.endpoint ? this.mix.media.tell(this.leg.endpoint, clip) : false;
  }

  leave(): void {
    this.onLeave(this);
  }
}

/**
 * Mixing bridges of N legs (docs/sip-control-dialect.md, "Mixing"): a leg joins the call of
 * another leg — its two-party bridge becomes a mix, or the lone leg and it make one — as a
 * talker (conference, barge), a listener (hears everyone, heard by nobody) or a whisperer
 * (heard by one named leg only), and may switch modes during the call. A leg that leaves is
 * put back alone; a mix down to one leg dissolves and that leg is put back alone too
 * (a caller on its music, a device waiting); a mix down to two talkers becomes a plain bridge
 * between them (so they can be held, re-bridged, recorded like any call). The ACD never knows
 * who is supervising whom.
 */
export class Mixing {
  constructor(
    private readonly ctx: CallContext,
    private readonly bridging: Bridging,
  ) {}

  join(leg: Leg, withId: string, role: MixRole): OpResult {
    if (!leg.endpoint || leg.state === 'answering') return { status: 409, reason: 'Not Answered' };
    const target = this.ctx.table.leg(withId);
    if (!target || target.ended || !target.endpoint) return { status: 404, reason: 'No Such Leg' };
    if (target === leg) return { status: 400, reason: 'Same Leg' };
    if (leg.mix && leg.mix.mixId === target.mix?.mixId) return { status: 409, reason: 'Already Mixed' };
    if (!target.mix && !target.bridge && target.state !== 'parked' && target.state !== 'waiting' && target.state !== 'held') return { status: 486, reason: 'Leg Busy' };
    if (target.bridge?.peer === leg) return { status: 409, reason: 'Already Bridged' };
    // the whisper target must be in the call being joined
    const callLegs = target.mix ? [...this.mixOf(target)!.seats.keys()] : [target, ...(target.bridge ? [target.bridge.peer] : [])];
    const whisperLeg = role.whisperTo ? callLegs.find((l) => l.id === role.whisperTo) : null;
    if (role.whisperTo && !whisperLeg) return { status: 404, reason: 'Whisper Target Not In Call' };

    const mix = this.mixOf(target) ?? this.makeMix(callLegs);
    // out of whatever the joining leg was in; its old peer is put back alone
    const old = leg.detachBridge();
    leg.leaveMix();
    if (old) this.bridging.survive(old);
    leg.heldWith = null;
    this.seat(mix, leg, role.mode, whisperLeg ?? null);
    leg.log.info({ mix: mix.id, with: withId, mode: role.mode, whisperTo: role.whisperTo }, 'joined a mixing bridge');
    return OK;
  }

  setMode(leg: Leg, role: MixRole): OpResult {
    const mix = this.mixOf(leg);
    const seat = mix?.seats.get(leg);
    if (!mix || !seat || !leg.endpoint) return { status: 409, reason: 'Not Mixed' };
    const whisperLeg = role.whisperTo ? [...mix.seats.keys()].find((l) => l.id === role.whisperTo && l !== leg) : null;
    if (role.whisperTo && !whisperLeg) return { status: 404, reason: 'Whisper Target Not In Call' };
    seat.mode = role.mode;
    seat.whisperLeg = whisperLeg ?? null;
    mix.media.update(leg.endpoint, { mode: role.mode, whisperTo: whisperLeg?.endpoint ?? null });
    leg.log.info({ mix: mix.id, mode: role.mode, whisperTo: role.whisperTo }, 'mix mode changed');
    return OK;
  }

  leave(leg: Leg): OpResult {
    if (!leg.mix) return { status: 409, reason: 'Not Mixed' };
    leg.leaveMix();
    this.bridging.survive(leg);
    return OK;
  }

  private mixOf(leg: Leg): CallMix | null {
    return leg.mix instanceof Seat ? leg.mix.mix : null;
  }

  /** A new mix from a lone leg or from both legs of a two-party bridge (which is undone, nobody put back). */
  private makeMix(legs: Leg[]): CallMix {
    const mix = new CallMix(this.ctx.media.mix());
    const first = legs[0] as Leg;
    first.detachBridge();
    first.heldWith = null;
    for (const l of legs) this.seat(mix, l, 'talk', null);
    return mix;
  }

  private seat(mix: CallMix, leg: Leg, mode: MixMode, whisperLeg: Leg | null): void {
    const seat = new Seat(mix, leg, mode, whisperLeg, (s) => this.unseat(s));
    mix.seats.set(leg, seat);
    leg.mix = seat;
    leg.transition('mix');
    mix.media.add(leg.endpoint!, { mode, whisperTo: whisperLeg?.endpoint ?? null });
    this.bridging.tellCaller(leg, 'bridged');
  }

  /** A leg's seat goes (it left, was moved, or ended); a mix of one dissolves. */
  private unseat(seat: Seat): void {
    const { mix, leg } = seat;
    if (!mix.seats.delete(leg)) return;
    if (leg.endpoint) mix.media.remove(leg.endpoint);
    // whispers to the leaving leg now reach nobody
    for (const s of mix.seats.values()) {
      if (s.whisperLeg !== leg) continue;
      s.whisperLeg = null;
      if (s.leg.endpoint) mix.media.update(s.leg.endpoint, { mode: s.mode, whisperTo: null });
    }
    if (mix.seats.size === 1) {
      const [last] = [...mix.seats.keys()] as [Leg];
      mix.seats.clear();
      last.mix = null;
      if (last.endpoint) mix.media.remove(last.endpoint);
      mix.media.close();
      this.bridging.survive(last);
      last.log.info({ mix: mix.id }, 'mix down to this leg: dissolved');
    } else if (mix.seats.size === 2 && [...mix.seats.values()].every((s) => s.mode === 'talk')) this.collapse(mix);
    else if (mix.seats.size === 0) mix.media.close();
  }

  /**
   * Two talkers left (a conference after the operator completed it, a call whose supervisor left):
   * they become a plain two-party bridge again, so everything a bridge allows — hold above all —
   * works as before the mix. The caller-kind leg goes first (a recording's left channel).
   */
  private collapse(mix: CallMix): void {
    const legs = [...mix.seats.keys()].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'caller' ? -1 : 1)) as [Leg, Leg];
    mix.seats.clear();
    for (const l of legs) {
      l.mix = null;
      if (l.endpoint) mix.media.remove(l.endpoint);
    }
    mix.media.close();
    this.bridging.connect(legs[0], legs[1], false);
    for (const l of legs) l.log.info({ mix: mix.id, bridgedTo: l.bridge?.peer.id ?? null }, 'mix down to two talkers: a plain bridge again');
  }
}
