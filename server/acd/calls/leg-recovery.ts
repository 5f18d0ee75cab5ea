import { formatRecovered, RECOVERY_H, type Recovered } from '../../shared/sip-recovery';
import type { Binding } from '../registrar';
import type { CallContext } from './call-context';
import { sendControlBye } from './control-dialog';
import type { Leg } from './leg';
import { sendRouteOffer } from './route-offer';

/**
 * Recovery (docs/sip-control-dialect.md, "Recovery"): the bank's connection closing keeps every
 * leg — a parked caller keeps its music, a bridge its media — with its control dialog dead. When
 * a bank UA registers the route point, each such leg is offered to it again: an INVITE to
 * `sip:route@…` like the first offer, plus `X-PB-Recovered` (state, kind, since, peer). The 2xx
 * replaces the dead control dialog. A re-offer goes only on a route binding (a `bank-*` user that
 * passed digest) and reaches only the bank: it places no call, it reports one held.
 *
 * A refused or unanswered re-offer leaves the leg as it was; the next registration offers it again.
 */
/** How long after a controller's connection closed its legs are re-offered to the other bank UAs. */
const CONTROLLER_LOST_DEFER_MS = 250;

export class LegRecovery {
  constructor(private readonly ctx: CallContext) {}

  /** A route binding was registered (new or refreshed): re-offer every orphaned leg, spread over the live bindings. */
  routeRegistered(binding: Binding): void {
    const { ctx } = this;
    if (!ctx.running()) return;
    const orphans = [...ctx.table.legs()].filter((l) => orphaned(l));
    if (orphans.length === 0) return;
    ctx.log.info({ legs: orphans.length, bankUser: binding.authUser }, 'bank UA registered: re-offering the legs it lost');
    for (const leg of orphans) this.reoffer(leg, ctx.registrar.nextRoute() ?? binding);
  }

  /**
   * A controller's connection closed while another bank UA is registered (several CTI nodes, or
   * the other UA of one bank): the legs it controlled are re-offered to the live bindings now,
   * rather than at the next registration. Deferred a moment so every connection of a node that
   * died has closed first (its other UA's binding is not picked).
   */
  controllerLost(): void {
    const { ctx } = this;
    setTimeout(() => {
      if (!ctx.running()) return;
      const binding = ctx.registrar.nextRoute();
      if (binding) this.routeRegistered(binding);
    }, CONTROLLER_LOST_DEFER_MS).unref();
  }

  private reoffer(leg: Leg, binding: Binding): void {
    const { ctx } = this;
    const state = recoveredOf(leg);
    leg.log.info({ bankUser: binding.authUser, state: state.state, peer: state.peer }, 're-offering a held leg to the route point');
    leg.recoveryTx = sendRouteOffer(ctx, leg, binding, [[RECOVERY_H.recovered, formatRecovered(state)]], (r) => {
      leg.recoveryTx = null;
      if (!r.taken) {
        leg.log.warn({ status: r.status, local: r.local }, 'the re-offer was not taken; the leg is kept for the next registration');
        return;
      }
      if (leg.ended) {
        // the party left while the re-offer was in flight: end the new control dialog at once
        sendControlBye(ctx, leg, r.dialog, leg.endCause ?? 'error');
        return;
      }
      const old = leg.controlDialog;
      if (old) ctx.table.removeDialog(old);
      leg.controlDialog = r.dialog;
      ctx.table.addDialog(r.dialog, leg, 'control');
      leg.log.info({ controlCallId: r.dialog.callId }, 'leg recovered by the CTI');
    });
  }
}

/** A live leg whose control dialog was up on a connection that has closed, and no re-offer pending. */
export function orphaned(leg: Leg): boolean {
  return !leg.ended && leg.control === 'up' && leg.controlDialog !== null && leg.controlDialog.flow.closed && !(leg.recoveryTx && !leg.recoveryTx.done);
}

/** What the re-offer says of the leg. */
export function recoveredOf(leg: Leg): Recovered {
  const base = { kind: leg.kind, since: leg.startedAt };
  switch (leg.state) {
    case 'bridged':
      return { ...base, state: 'bridged', peer: leg.bridge?.peer.id ?? null };
    case 'held':
      return { ...base, state: 'held', peer: leg.heldWith?.id ?? null };
    case 'mixed':
      return { ...base, state: 'mixed', peer: null };
    case 'parked':
      return { ...base, state: 'parked', peer: null };
    default:
      // waiting, or a state with no control dialog (never orphaned)
      return { ...base, state: 'waiting', peer: null };
  }
}
