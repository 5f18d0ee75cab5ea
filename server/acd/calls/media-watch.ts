import type { MediaEndCause, MediaEndpoint } from '../media/media-engine';
import type { CallContext } from './call-context';
import { failDial } from './dials/dial-failure';
import type { DtmfRelay } from './dtmf-relay';
import type { Leg } from './leg';

/**
 * What the media reports about a leg: a dead leg (no RTP, ICE failure) is released with
 * its cause told to the controller (a ringing device fails its dial); DTMF is relayed.
 */
export class MediaWatch {
  constructor(
    private readonly ctx: CallContext,
    private readonly dtmf: DtmfRelay,
  ) {}

  watch(leg: Leg, ep: MediaEndpoint): void {
    ep.onEnded((cause: MediaEndCause) => {
      if (leg.ended || leg.endpoint !== ep) return;
      leg.log.warn({ cause }, 'media died');
      const dial = this.ctx.table.dialOfLeg(leg);
      if (dial) return failDial(this.ctx, dial, 480, `media ${cause}`);
      leg.close(cause === 'rtp-timeout' ? 'rtp-timeout' : 'error', { byeParty: true });
    });
    ep.onDtmf((digit, durationMs) => this.dtmf.relay(leg, digit, durationMs));
  }
}
