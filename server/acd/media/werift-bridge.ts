import type { Logger } from '../../log';
import type { MediaBridge } from './media-engine';
import type { WeriftEndpoint } from './werift-endpoint';

/**
 * Two endpoints' audio, both ways, through the ACD: each packet received from one party is
 * re-sent to the other in that leg's codec, payload type and numbering (see
 * WeriftEndpoint.forward). Attaching stops any music on both sides.
 */
export class WeriftBridge implements MediaBridge {
  private unsubscribers: Array<() => void> = [];
  private active = true;

  constructor(
    private readonly a: WeriftEndpoint,
    private readonly b: WeriftEndpoint,
    private readonly log: Logger,
  ) {
    a.attachBridge(this);
    b.attachBridge(this);
    this.unsubscribers = [
      a.subscribeRtp((f) => b.forward(`${a.legId}:${f.ssrc}`, f)),
      b.subscribeRtp((f) => a.forward(`${b.legId}:${f.ssrc}`, f)),
    ];
    this.log.info({ a: a.legId, b: b.legId, codecA: a.codec, codecB: b.codec }, 'bridged');
  }

  get bridged(): boolean {
    return this.active;
  }

  unbridge(): void {
    if (!this.active) return;
    this.active = false;
    for (const off of this.unsubscribers.splice(0)) off();
    this.a.detachBridge(this);
    this.b.detachBridge(this);
    this.log.info({ a: this.a.legId, b: this.b.legId }, 'unbridged');
  }
}
