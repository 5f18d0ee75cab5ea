import { randomInt } from 'node:crypto';
import { H } from '../../../shared/sip-control';
import type { ClientTx } from '../../client-transactions';
import { Dialog } from '../../dialog';
import { allows } from '../../signalling/capabilities';
import { nameAddrWithoutTag } from '../../sip/headers';
import type { SipResponse } from '../../sip/message';
import { fieldsOf } from '../../sip/message-fields';
import type { Bridging } from '../bridging';
import type { Mixing } from '../mixing';
import type { CallContext } from '../call-context';
import type { CallerNotices } from '../caller-notice';
import { controlAnswer } from '../control-dialog';
import type { SessionRefresh } from '../session-refresh';
import type { DeviceInvite, Dial } from './dial';
import { failDial } from './dial-failure';

const ALONE = new Set(['parked', 'waiting', 'held']);

/**
 * The device answered a dial (2xx): its dialog is made and ACKed, its SDP answer given to
 * the leg's media, the leg bridged to the parked caller (or left waiting for a number
 * check), and the bank's INVITE answered 200 — which makes the leg's control dialog.
 */
export class DialAnswer {
  constructor(
    private readonly ctx: CallContext,
    private readonly bridging: Bridging,
    private readonly sessions: SessionRefresh,
    private readonly mixing: Mixing,
    private readonly notices: CallerNotices,
  ) {}

  async answered(dial: Dial, invite: DeviceInvite, tx: ClientTx, res: SipResponse): Promise<void> {
    const { ctx } = this;
    const { leg, caller } = dial;
    const f = fieldsOf(res);
    const deviceDialog = new Dialog(
      {
        callId: leg.callId,
        localTag: invite.localTag,
        remoteTag: f.toTag ?? '',
        localAddr: invite.fromAddr,
        remoteAddr: invite.toAddr,
        remoteTarget: f.contact?.uri ?? invite.request.uri,
        flow: leg.partyFlow,
        localSeq: invite.seq,
        // the UAC's route set is the 2xx's Record-Route reversed (§12.1.2)
        routeSet: [...res.headers.getAll('Record-Route')].reverse(),
      },
      ctx.local,
    );
    ctx.clientTx.ack2xx(tx, deviceDialog.ack(invite.seq));
    if (leg.ended) {
      // answered after the dial had already failed: release the device at once
      leg.log.info('device answered too late; releasing it');
      ctx.clientTx.send(deviceDialog.request('BYE'), leg.partyFlow);
      return;
    }
    leg.partyDialog = deviceDialog;
    leg.localSdp = invite.request.body;
    leg.remoteSdp = res.body;
    leg.peerAllowsUpdate = allows(res, 'UPDATE');
    this.sessions.startFromAnswer(leg, res);
    ctx.table.addDialog(deviceDialog, leg, 'party');
    if (dial.done) return;
    dial.transition('answer');
    try {
      await leg.endpoint?.acceptAnswer(res.body);
    } catch (err) {
      leg.log.warn({ err }, 'media refused the device answer');
      return failDial(ctx, dial, 488, 'device answer not acceptable');
    }
    if (dial.done) return;
    if (caller && dial.told) {
      // answered while the caller is still being told of the recording: bridge after the notice
      if (dial.ringTimer) clearTimeout(dial.ringTimer);
      dial.ringTimer = null;
      await this.notices.settled(caller);
      if (dial.done) return;
    }
    // the dial itself counts as "being dialled": the leg must still be alone or held
    if (caller && (caller.ended || !ALONE.has(caller.state) || !caller.endpoint || !leg.endpoint)) {
      return failDial(ctx, dial, caller.ended ? 481 : 486, 'caller no longer parked');
    }
    if (dial.join) {
      // a monitor or a third party: into the named leg's call, in the asked mode
      const joined = this.mixing.join(leg, dial.join.legId, dial.join.role);
      if (joined.status !== 200) return failDial(ctx, dial, joined.status, 'could not join the call', 'reason' in joined ? joined.reason : undefined);
    }
    dial.transition('connect');
    ctx.table.removeDial(dial);
    const answerHeaders: Array<[string, string]> = [[H.leg, leg.id]];
    if (dial.join) {
      // joined above
    } else if (dial.confirm && leg.endpoint) {
      // press-1 accept: the device alone hears the question, the caller keeps its music; the
      // controller bridges on the right key (in-call bridge) or releases the device
      leg.transition('answer_alone');
      leg.endpoint.play(dial.confirm, { loop: true });
    } else if (caller && caller.endpoint && leg.endpoint) {
      answerHeaders.push(...this.bridging.connect(caller, leg, dial.record));
      if (dial.told && dial.notice) answerHeaders.push([H.notice, dial.notice]);
    } else {
      // a dial without a caller (number check): the answered leg waits for the controller
      leg.transition('answer_alone');
    }

    const bankReq = dial.st.request;
    const bf = fieldsOf(bankReq);
    const control = new Dialog(
      {
        callId: bf.callId,
        localTag: dial.toTag,
        remoteTag: bf.fromTag ?? '',
        localAddr: nameAddrWithoutTag(bf.to, bankReq.headers.get('To')),
        remoteAddr: nameAddrWithoutTag(bf.from, bankReq.headers.get('From')),
        remoteTarget: bf.contact?.uri ?? '',
        flow: dial.st.flow,
        localSeq: randomInt(1, 10_000),
      },
      ctx.local,
    );
    leg.controlDialog = control;
    leg.transition('connect');
    ctx.table.addDialog(control, leg, 'control');
    dial.st.respond(controlAnswer(ctx, bankReq, dial.st.flow, dial.toTag, answerHeaders));
    if (dial.confirm) {
      leg.log.info({ clip: dial.confirm, caller: caller?.id ?? null }, 'device answered; asked to accept, waiting for the controller');
      return;
    }
    leg.log.debug({ bridgedTo: caller?.id ?? null }, caller ? 'device answered; bridged' : 'device answered; waiting (no caller to bridge)');
    caller?.log.info({ bridgedTo: leg.id }, 'bridged to device');
  }
}
