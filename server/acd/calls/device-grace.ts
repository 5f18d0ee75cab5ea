import { RECONNECT_PROMPT } from '../../shared/reconnect-prompt';
import type { IncomingRequest } from '../sip/message-fields';
import type { Flow } from '../transport/flow';
import type { CallContext } from './call-context';
import type { Leg } from './leg';

/** How long a device leg outlives its closed connection when the config says nothing. */
export const DEVICE_GRACE_DEFAULT_SEC = 20;

/**
 * A call that outlives the operator's network change (docs/acd-signalling.md, "Device
 * reconnect"). When the connection carrying a device's dialog closes mid-call, the leg is kept
 * for the grace period instead of ending: the device's side of the bridge goes on hold (the
 * caller hears "please hold", then its music; the device watchdog waits, as for any hold). A
 * re-INVITE in the same dialog on a new connection that holds a registration of the same device
 * re-anchors the leg there; its SDP (an ICE restart) is answered by the leg's media and the
 * bridge resumes. Past the grace the leg ends with cause `transport-lost`, as it did at once
 * before: the controller decides what the caller gets (the CTI queues it again, first in line).
 */
export class DeviceGrace {
  constructor(private readonly ctx: CallContext) {}

  private get graceMs(): number {
    return (this.ctx.cfg.deviceGraceSec ?? DEVICE_GRACE_DEFAULT_SEC) * 1000;
  }

  /** The leg's connection closed: true when the leg is kept for its device to come back. */
  keep(leg: Leg): boolean {
    // a ringing device's dial fails (the controller dials again); trunks have no device to return
    if (leg.kind !== 'device' || !leg.extra.device || this.graceMs <= 0 || !leg.partyDialog || !leg.endpoint) return false;
    if (leg.state === 'ringing' || leg.ended) return false;
    leg.reconnecting ??= leg.after(this.graceMs, () => this.expire(leg));
    const caller = leg.bridge?.peer.endpoint;
    if (leg.bridge && caller) {
      // the device "holds": its peer hears its music clip, the notice first
      leg.endpoint.setDirection('inactive');
      leg.bridge.handle.tell(caller, RECONNECT_PROMPT);
    }
    leg.log.info({ graceSec: this.graceMs / 1000, bridged: !!leg.bridge }, 'device connection lost; leg kept for its return');
    return true;
  }

  /**
   * A party's in-dialog request arrived on `flow`: when the leg waits for its device and the flow
   * carries a registration of that device, the leg moves there (false: refuse with 403).
   */
  reanchor(leg: Leg, req: IncomingRequest, flow: Flow): boolean {
    if (flow === leg.partyFlow || !leg.extra.device) return true;
    const same = this.ctx.registrar.lookup(leg.extra.device).some((b) => b.flow === flow);
    if (!same) {
      // a UDP party may change source port; a waiting leg is taken over only by its device
      if (!leg.reconnecting) return true;
      leg.log.warn({ flowId: flow.id, method: req.method }, 'a request for a waiting device leg from a connection without its registration refused');
      return false;
    }
    // the device may be back before its old connection is seen to close (a half-open TCP
    // connection after a network change can linger for minutes): it moves all the same
    if (!flow.reliable && !leg.partyFlow.reliable) return true;
    leg.reanchor(flow);
    leg.log.info({ flowId: flow.id, waited: !!leg.reconnecting }, 'device re-anchored on its new connection');
    return true;
  }

  /** The re-offer on the new connection was answered: the grace ends (the media resumed the bridge). */
  resumed(leg: Leg): void {
    if (!leg.reconnecting) return;
    leg.reconnecting();
    leg.reconnecting = null;
    leg.log.info('device back; call resumed');
  }

  private expire(leg: Leg): void {
    leg.reconnecting = null;
    if (leg.ended) return;
    leg.log.info({ graceSec: this.graceMs / 1000 }, 'device did not come back in time; leg released');
    leg.close('transport-lost', { byeParty: false });
  }
}
