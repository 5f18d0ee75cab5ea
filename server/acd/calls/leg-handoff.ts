import { H } from '../../shared/sip-control';
import { formatRecovered, RECOVERY_H } from '../../shared/sip-recovery';
import type { Flow } from '../transport/flow';
import type { CallContext } from './call-context';
import { sendControlBye } from './control-dialog';
import type { Leg } from './leg';
import type { OpResult } from './leg-moves';
import { sendRouteOffer } from './route-offer';

/**
 * A handoff (docs/sip-control-dialect.md, "Handoff to another CTI node"): the controller of a
 * parked caller asks, on the caller's control dialog, that the leg be controlled by a bank UA of
 * another CTI node (the node whose operator is free). The ACD offers the leg to that node's route
 * binding exactly as a recovery re-offer (`X-PB-Recovered: parked;…;since=<arrival>`) plus
 * `X-PB-Handoff: <asking node>`; once that node's 2xx is in, the new dialog replaces the old one,
 * the old one gets a BYE with `X-PB-Cause: moved` (not an end) and the asking INFO its 200.
 *
 * The ACD places no call here: the leg stays parked with its music, and the offer goes only to a
 * route binding (a `bank-*` user that passed digest). Anything else is refused and nothing moves.
 */
export class LegHandoff {
  constructor(private readonly ctx: CallContext) {}

  handoff(leg: Leg, node: string, askedOn: Flow): OpResult | Promise<OpResult> {
    const { ctx } = this;
    if (leg.kind !== 'caller') return { status: 409, reason: 'Not A Caller' };
    if (leg.state !== 'parked') return { status: 409, reason: 'Not Parked' };
    if (leg.recoveryTx && !leg.recoveryTx.done) return { status: 491, reason: 'Request Pending' };
    const from = ctx.registrar.nodeOnFlow(askedOn);
    if (from === null) return { status: 403, reason: 'Not A Node' };
    if (from === node) return { status: 400, reason: 'Same Node' };
    const binding = ctx.registrar.nextRouteOf(node);
    if (!binding) return { status: 480, reason: 'Node Unavailable' };
    const headers: Array<[string, string]> = [
      [RECOVERY_H.recovered, formatRecovered({ state: 'parked', kind: 'caller', since: leg.startedAt, peer: null })],
      [H.handoff, from],
    ];
    leg.log.info({ from, to: node, bankUser: binding.authUser }, 'handoff: offering the parked caller to another CTI node');
    return new Promise<OpResult>((resolve) => {
      leg.recoveryTx = sendRouteOffer(ctx, leg, binding, headers, (r) => {
        leg.recoveryTx = null;
        if (!r.taken) {
          leg.log.warn({ status: r.status, local: r.local, to: node }, 'handoff: the other node did not take the caller; nothing moved');
          return resolve({ status: r.local ? 408 : 480, reason: 'Node Did Not Take It' });
        }
        if (leg.ended || leg.state !== 'parked' || leg.control !== 'up') {
          // the caller left (or the leg moved on) while the offer was out: the new dialog ends at once, the old one tells the end as usual
          sendControlBye(ctx, leg, r.dialog, leg.endCause ?? 'error');
          return resolve({ status: 481, reason: 'Leg Gone' });
        }
        const old = leg.controlDialog;
        if (old) ctx.table.removeDialog(old);
        leg.controlDialog = r.dialog;
        ctx.table.addDialog(r.dialog, leg, 'control');
        leg.log.info({ from, to: node, controlCallId: r.dialog.callId }, 'handoff: the caller is controlled by the other node');
        resolve({ status: 200 });
        // after the 200 is on the wire (it goes out a few microtasks from now; same connection, so in order):
        // the old controller's dialog ends without ending the leg
        if (old) setImmediate(() => sendControlBye(ctx, leg, old, 'moved'));
      });
    });
  }
}
