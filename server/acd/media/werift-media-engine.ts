import type { Logger } from '../../log';
import { ClipLibrary } from './clip-library';
import { type ResolvedEngineOptions, type WeriftMediaEngineOptions, WeriftMediaEngineOptionsSchema } from './engine-options';
import type { MediaBridge, MediaEndpoint, MediaEngine } from './media-engine';
import { MediaStateError } from './media-errors';
import { WeriftBridge } from './werift-bridge';
import { WeriftEndpoint } from './werift-endpoint';

/**
 * The embedded media engine: every leg is a werift RTCPeerConnection inside this process,
 * negotiating G.711 + telephone-event only, so bridging is RTP forwarding (a PCMU↔PCMA
 * table lookup at worst) and music is pre-encoded frames.
 */
export class WeriftMediaEngine implements MediaEngine {
  readonly clips: ClipLibrary;
  private readonly options: ResolvedEngineOptions;
  private readonly endpoints = new Set<WeriftEndpoint>();
  private gatherQueue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private readonly log: Logger;

  constructor(log: Logger, options: WeriftMediaEngineOptions = {}) {
    this.log = log.child({ mod: 'media' });
    this.options = WeriftMediaEngineOptionsSchema.parse(options);
    this.clips = new ClipLibrary(this.log);
  }

  /** Adds every 8 kHz 16-bit mono `*.wav` in `dir` as a clip named after the file. */
  loadClipsFromDir(dir: string): Promise<string[]> {
    return this.clips.loadClipsFromDir(dir);
  }

  async createEndpoint(opts: { legId: string }): Promise<WeriftEndpoint> {
    if (this.closed) throw new MediaStateError('engine closed');
    const ep = new WeriftEndpoint(opts.legId, {
      options: this.options,
      clips: this.clips,
      log: this.log,
      serializeGathering: (fn) => this.serializeGathering(fn),
      onClosed: (e) => this.endpoints.delete(e),
    });
    this.endpoints.add(ep);
    return ep;
  }

  bridge(a: MediaEndpoint, b: MediaEndpoint): MediaBridge {
    if (!(a instanceof WeriftEndpoint) || !(b instanceof WeriftEndpoint)) {
      throw new TypeError('bridge() takes endpoints of this engine');
    }
    if (a === b) throw new RangeError('cannot bridge an endpoint to itself');
    return new WeriftBridge(a, b, this.log);
  }

  /** Live endpoints (for tests and health). */
  get endpointCount(): number {
    return this.endpoints.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.endpoints].map((ep) => ep.close()));
  }

  private serializeGathering<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.gatherQueue.then(fn, fn);
    this.gatherQueue = run.catch(() => undefined);
    return run;
  }
}
