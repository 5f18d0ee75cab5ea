import type { CallContext } from './call-context';
import { sendControlBye } from './control-dialog';
import type { Leg } from './leg';
import { sendRouteOffer } from './route-offer';

/**
 * The CTI's route point: a parked caller is offered to it (an INVITE to `sip:route@…`,
 * which the bank's UAs register) until one takes the leg, which makes the leg's control
 * dialog. No binding, or a refusal: tried again every `routeRetryMs`, up to
 * `routeRetryLimit` times, then the caller is released with `no-controller`.
 */
export class RoutePoint {
  constructor(private readonly ctx: CallContext) {}

  offer(leg: Leg): void {
    const { ctx } = this;
    if (leg.ended || !ctx.running()) return;
    const binding = ctx.registrar.nextRoute();
    if (!binding) {
      leg.log.warn('no route point registered');
      return this.retry(leg);
    }
    leg.transition('offer');
    leg.routeTx = sendRouteOffer(ctx, leg, binding, [], (r) => {
      leg.routeTx = null;
      if (!r.taken) {
        leg.log.warn({ status: r.status, local: r.local }, 'route point did not take the leg');
        // an ended leg's control sub-state already ended with it
        if (!leg.ended) {
          leg.transition('offer_failed');
          this.retry(leg);
        }
        return;
      }
      const { dialog } = r;
      if (leg.ended) {
        // the caller left while the offer was in flight: end the control dialog at once
        sendControlBye(ctx, leg, dialog, leg.endCause ?? 'error');
        return;
      }
      leg.controlDialog = dialog;
      leg.transition('connect');
      leg.routeAttempts = 0;
      ctx.table.addDialog(dialog, leg, 'control');
      leg.log.debug({ controlCallId: dialog.callId }, 'leg connected to the CTI');
    });
  }

  private retry(leg: Leg): void {
    leg.routeAttempts += 1;
    if (leg.routeAttempts >= this.ctx.timers.routeRetryLimit) {
      leg.log.warn({ attempts: leg.routeAttempts }, 'no controller took the leg');
      leg.close('no-controller', { byeParty: true });
      return;
    }
    leg.after(this.ctx.timers.routeRetryMs, () => this.offer(leg));
  }
}
