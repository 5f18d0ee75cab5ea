import type { LegEndCause } from '../../shared/sip-control';
import type { Dialog } from '../dialog';
import type { Bridging } from './bridging';
import type { CallContext } from './call-context';
import { sendControlBye } from './control-dialog';
import { failDial } from './dials/dial-failure';
import type { Leg, LegCloseHooks } from './leg';

/**
 * The signalling side of `Leg.close()`: BYE to the party when asked, the survivor of a
 * bridge put back, BYE with the cause on the control dialog unless the controller itself
 * released the leg, dials towards the leg failed, the leg forgotten.
 */
export class LegRelease implements LegCloseHooks {
  constructor(
    private readonly ctx: CallContext,
    private readonly bridging: Bridging,
  ) {}

  partyClosed(leg: Leg, byeParty: boolean): void {
    const dialog = leg.partyDialog;
    if (!dialog) return;
    if (byeParty) this.ctx.clientTx.send(dialog.request('BYE'), dialog.flow);
    this.ctx.table.removeDialog(dialog);
  }

  peerLeft(peer: Leg): void {
    this.bridging.survive(peer);
  }

  controlClosed(leg: Leg, cause: LegEndCause, dialog: Dialog | null): void {
    if (dialog) {
      if (cause !== 'released') sendControlBye(this.ctx, leg, dialog, cause);
      this.ctx.table.removeDialog(dialog);
    } else if (leg.routeTx && !leg.routeTx.done) {
      this.ctx.clientTx.cancel(leg.routeTx);
    }
  }

  closed(leg: Leg): void {
    for (const dial of this.ctx.table.dials()) if (dial.caller === leg) failDial(this.ctx, dial, 481, 'the caller left');
    this.ctx.table.removeLeg(leg);
  }
}
