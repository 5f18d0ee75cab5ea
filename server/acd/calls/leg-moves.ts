import type { Bridging } from './bridging';
import type { CallContext } from './call-context';
import type { Leg } from './leg';

/** The answer to a controller's request: 200, or a status with its reason phrase. */
export type OpResult = { status: 200 } | { status: number; reason: string };
export const OK: OpResult = { status: 200 };
const refuse = (status: number, reason: string): OpResult => ({ status, reason });

/**
 * Legs another leg may be bridged to: alone (parked / waiting) or held, and no dial under way for
 * them — unless the dial is one of a ring-all group (`parallel`), where the first answer wins.
 */
export function available(ctx: CallContext, leg: Leg, parallel = false): boolean {
  return (leg.state === 'parked' || leg.state === 'waiting' || leg.state === 'held') && (parallel || !ctx.table.isBeingDialled(leg)) && leg.endpoint !== null;
}

/** Why a named target leg cannot be used (404 gone, 486 busy), or null when it can. */
export function targetRefusal(ctx: CallContext, self: Leg, target: Leg | undefined): OpResult | null {
  if (!target || target.ended) return refuse(404, 'No Such Leg');
  if (target === self) return refuse(400, 'Same Leg');
  if (!available(ctx, target)) return refuse(486, 'Leg Busy');
  return null;
}

/**
 * The controller's moves of a leg between bridges (docs/sip-control-dialect.md, "In-call
 * requests"): hold (park a bridged leg with its music), resume (back to the peer it was
 * held from), and re-bridge (to any available leg). A peer left behind is put back as when
 * its bridge peer hangs up: a caller on its music, a device waiting in silence — never
 * released: that is the controller's to decide.
 */
export class LegMoves {
  constructor(
    private readonly ctx: CallContext,
    private readonly bridging: Bridging,
  ) {}

  hold(leg: Leg): OpResult {
    if (leg.state === 'held') return refuse(409, 'Already Held');
    if (leg.state !== 'bridged' || !leg.endpoint) return refuse(409, 'Not Bridged');
    const peer = leg.detachBridge();
    leg.transition('hold');
    leg.heldWith = peer;
    leg.endpoint.play(leg.extra.holdAudio ?? 'default');
    this.bridging.tellCaller(leg, 'parked');
    if (peer) this.bridging.survive(peer);
    leg.log.info({ heldFrom: peer?.id ?? null }, 'held by the controller: music, nothing of the peer');
    return OK;
  }

  resume(leg: Leg): OpResult {
    if (leg.state !== 'held') return refuse(409, 'Not Held');
    const peer = leg.heldWith;
    const bad = targetRefusal(this.ctx, leg, peer ?? undefined);
    if (bad) return bad;
    this.bridging.connect(leg, peer as Leg, false);
    leg.log.info({ bridgedTo: peer?.id }, 'resumed by the controller');
    return OK;
  }

  /** Bridges `leg` to `targetId`, taking it out of its bridge or mix first. */
  rebridge(leg: Leg, targetId: string): OpResult {
    if (!leg.endpoint || leg.state === 'ringing' || leg.state === 'answering') return refuse(409, 'Not Answered');
    const target = this.ctx.table.leg(targetId);
    if (target && target === leg.bridge?.peer) return refuse(409, 'Already Bridged');
    const bad = targetRefusal(this.ctx, leg, target);
    if (bad) return bad;
    const old = leg.detachBridge();
    leg.leaveMix();
    if (old) this.bridging.survive(old);
    this.bridging.connect(leg, target as Leg, false);
    leg.log.info({ bridgedTo: targetId, left: old?.id ?? null }, 're-bridged by the controller');
    return OK;
  }
}
