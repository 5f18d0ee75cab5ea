import type { Logger } from '../../log';
import { Bridge } from './bridge';
import { ClipLibrary } from './clip-library';
import { EndpointBase } from './endpoint-base';
import { type ResolvedEngineOptions, type WeriftMediaEngineOptions, WeriftMediaEngineOptionsSchema } from './engine-options';
import type { MediaBridge, MediaEndpoint, MediaEngine, MediaFigures, MediaKind, MediaMix, MediaRecording, MixSeat } from './media-engine';
import { PartyRecorder } from './party-recorder';
import { MixBridge } from './mix-bridge';
import { MediaStateError } from './media-errors';
import { RtpEndpoint } from './rtp-endpoint';
import { RtpPortPool } from './rtp-port-pool';
import { WeriftEndpoint } from './werift-endpoint';

/**
 * The embedded media engine, in-process: WebRTC legs are werift RTCPeerConnections, plain
 * RTP legs are UDP sockets; both negotiate G.711 + telephone-event only, so bridging any
 * two of them is RTP forwarding (a PCMU↔PCMA table lookup at worst) and music is
 * pre-encoded frames.
 */
export class WeriftMediaEngine implements MediaEngine {
  readonly clips: ClipLibrary;
  private readonly options: ResolvedEngineOptions;
  private readonly endpoints = new Set<EndpointBase>();
  /** Bridges not yet finished (their recordings are still being written). */
  private readonly bridges = new Set<Bridge>();
  private readonly mixes = new Set<MixBridge>();
  private readonly recorders = new Set<PartyRecorder>();
  private readonly ports: RtpPortPool;
  private gatherQueue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private readonly log: Logger;
  /** what closed endpoints carried: the totals go on when a leg ends */
  private readonly retired = { received: 0, sent: 0, lost: 0 };

  constructor(log: Logger, options: WeriftMediaEngineOptions = {}) {
    this.log = log.child({ part: 'acd', module: 'media' });
    this.options = WeriftMediaEngineOptionsSchema.parse(options);
    this.clips = new ClipLibrary(this.log);
    this.ports = new RtpPortPool(this.options.rtpAddress, this.options.rtpPortRange);
  }

  /** Adds every 8 kHz 16-bit mono `*.wav` in `dir` as a clip named after the file. */
  loadClipsFromDir(dir: string): Promise<string[]> {
    return this.clips.loadClipsFromDir(dir);
  }

  createEndpoint(opts: { legId: string; kind: 'rtp' }): Promise<RtpEndpoint>;
  createEndpoint(opts: { legId: string; kind?: 'webrtc' }): Promise<WeriftEndpoint>;
  createEndpoint(opts: { legId: string; kind?: MediaKind }): Promise<WeriftEndpoint | RtpEndpoint>;
  async createEndpoint(opts: { legId: string; kind?: MediaKind }): Promise<WeriftEndpoint | RtpEndpoint> {
    if (this.closed) throw new MediaStateError('engine closed');
    const common = { options: this.options, clips: this.clips, log: this.log, onClosed: (e: EndpointBase) => this.retire(e) };
    const ep =
      opts.kind === 'rtp'
        ? new RtpEndpoint(opts.legId, {
            ...common,
            bindSocket: () => this.ports.bind(),
            advertiseAddress: this.options.rtpAdvertiseAddress ?? this.options.rtpAddress,
          })
        : new WeriftEndpoint(opts.legId, { ...common, serializeGathering: (fn) => this.serializeGathering(fn) });
    this.endpoints.add(ep);
    return ep;
  }

  /** Totals for /metrics: the closed endpoints' plus a pass over the live ones (on scrape only). */
  figures(): MediaFigures {
    const f: MediaFigures = { engine: 'werift', packetsReceived: this.retired.received, packetsSent: this.retired.sent, packetsLost: this.retired.lost, jitterMs: [] };
    for (const e of this.endpoints) {
      f.packetsReceived += e.rtpReceived;
      f.packetsSent += e.rtpSent;
      f.packetsLost += e.rtpLost;
      if (e.rtpReceived > 0) f.jitterMs.push(e.jitterMs);
    }
    return f;
  }

  private retire(e: EndpointBase): void {
    if (!this.endpoints.delete(e)) return;
    this.retired.received += e.rtpReceived;
    this.retired.sent += e.rtpSent;
    this.retired.lost += e.rtpLost;
  }

  bridge(a: MediaEndpoint, b: MediaEndpoint): Bridge & MediaBridge {
    if (!(a instanceof EndpointBase) || !(b instanceof EndpointBase)) {
      throw new TypeError('bridge() takes endpoints of this engine');
    }
    if (a === b) throw new RangeError('cannot bridge an endpoint to itself');
    const bridge = new Bridge(a, b, this.log);
    this.bridges.add(bridge);
    void bridge.finished().then(() => this.bridges.delete(bridge));
    return bridge;
  }

  record(party: MediaEndpoint, path: string): MediaRecording {
    if (!(party instanceof EndpointBase)) throw new TypeError('record() takes endpoints of this engine');
    if (this.closed) throw new MediaStateError('engine closed');
    const r = new PartyRecorder(party, path, this.log, (done) => this.recorders.delete(done));
    this.recorders.add(r);
    return r;
  }

  mix(): MediaMix {
    if (this.closed) throw new MediaStateError('engine closed');
    const mix = new MixBridge(this.log, (m) => this.mixes.delete(m));
    this.mixes.add(mix);
    const own = (ep: MediaEndpoint): EndpointBase => {
      if (!(ep instanceof EndpointBase)) throw new TypeError('mix() takes endpoints of this engine');
      return ep;
    };
    // the engine-neutral seat (MediaEndpoint) checked into this engine's endpoints
    return {
      add: (ep: MediaEndpoint, seat: MixSeat) => mix.add(own(ep), { mode: seat.mode, whisperTo: seat.whisperTo ? own(seat.whisperTo) : null }),
      update: (ep: MediaEndpoint, seat: MixSeat) => mix.update(own(ep), { mode: seat.mode, whisperTo: seat.whisperTo ? own(seat.whisperTo) : null }),
      remove: (ep: MediaEndpoint) => mix.remove(own(ep)),
      tell: (ep: MediaEndpoint, clip: string) => mix.tell(own(ep), clip),
      get size() {
        return mix.size;
      },
      close: () => mix.close(),
    };
  }

  /** Live mixing bridges (tests and health). */
  get mixCount(): number {
    return this.mixes.size;
  }

  /** The live endpoint of a leg (tests and diagnostics: codec, latched address, counters). */
  endpointOf(legId: string): EndpointBase | undefined {
    for (const ep of this.endpoints) if (ep.legId === legId) return ep;
    return undefined;
  }

  /** Live endpoints (for tests and health). */
  get endpointCount(): number {
    return this.endpoints.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const m of [...this.mixes]) m.close();
    await Promise.all([...this.endpoints].map((ep) => ep.close()));
    await Promise.all([...this.bridges].map((b) => b.finished()));
    // a recording still running is finalised before close() resolves
    await Promise.all([...this.recorders].map((r) => r.stop()));
  }

  private serializeGathering<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.gatherQueue.then(fn, fn);
    this.gatherQueue = run.catch(() => undefined);
    return run;
  }
}
