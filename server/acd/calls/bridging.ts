import { H } from '../../shared/sip-control';
import type { CallContext } from './call-context';
import { startLegRecording } from './leg-recording';
import type { Leg } from './leg';

/**
 * Bridges a parked caller and an answered device, and puts the survivor back when one
 * side of a bridge ends. The caller's UA is told its own state only (never who answered).
 */
export class Bridging {
  constructor(private readonly ctx: CallContext) {}

  /**
   * Joins the two legs' media (recording when asked); returns the headers for the bank's 200.
   * `caller` is the leg that was waiting (a parked caller, or any leg a re-bridge moves), `device` the other.
   * A recording follows `caller` (left channel) from here to its end; one already running on it
   * (a transfer to the next device) goes on in the same file, named again in the 200.
   */
  connect(caller: Leg, device: Leg, record: boolean): Array<[string, string]> {
    const headers: Array<[string, string]> = [];
    if (!caller.endpoint || !device.endpoint) return headers;
    const handle = this.ctx.media.bridge(caller.endpoint, device.endpoint);
    const recording = record ? startLegRecording(this.ctx, caller, device) : null;
    if (recording) headers.push([H.recording, recording]);
    caller.bridge = { peer: device, handle };
    device.bridge = { peer: caller, handle };
    caller.heldWith = null;
    device.heldWith = null;
    caller.transition('bridge');
    device.transition('bridge');
    this.tellCaller(caller, 'bridged');
    this.tellCaller(device, 'bridged');
    return headers;
  }

  /** The leg left behind when its bridge peer ended: a caller back on music, a device waiting. */
  survive(peer: Leg): void {
    if (peer.ended) return;
    // out of a two-party bridge or out of a mix that has nobody else left
    const event = peer.state === 'mixed' ? 'unmix' : 'unbridge';
    if (peer.kind === 'caller') {
      if (peer.transition(event)) peer.endpoint?.play(peer.extra.holdAudio ?? 'default');
      this.tellCaller(peer, 'parked');
      peer.log.info('bridge peer left; caller back on hold');
    } else {
      peer.transition(event);
      peer.log.debug('bridge peer left; device waits for the controller');
    }
  }

  /**
   * Tells a caller's UA whether someone is connected (an INFO with X-PB-State). A UA that
   * refuses INFO changes nothing.
   */
  tellCaller(caller: Leg, state: 'bridged' | 'parked'): void {
    const dialog = caller.partyDialog;
    if (!dialog || caller.ended || caller.kind !== 'caller') return;
    this.ctx.clientTx.send(dialog.request('INFO', [[H.state, state]], '', ''), dialog.flow, (res) => {
      if (res.status >= 300) caller.log.debug({ status: res.status, state }, 'caller UA refused the state INFO');
    });
  }
}
