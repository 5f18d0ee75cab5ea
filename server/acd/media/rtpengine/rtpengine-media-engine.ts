import { z } from 'zod';
import type { Logger } from '../../../log';
import type { ClipLibrary } from '../clip-library';
import type { MediaBridge, MediaEndpoint, MediaEngine, MediaFigures, MediaKind, MediaMix, MediaRecording, MixSeat } from '../media-engine';
import { MediaStateError } from '../media-errors';
import { RtpEndpoint } from '../rtp-endpoint';
import { WeriftMediaEngine } from '../werift-media-engine';
import { NgChannel, parseNgAddress } from './ng-channel';
import { RtpengineEndpoint } from './rtpengine-endpoint';

export const RtpengineOptionsSchema = z
  .object({
    /** rtpengine's NG control socket, `host:port` (UDP), e.g. 127.0.0.1:22222 */
    ng: z.string().refine((s) => { try { parseNgAddress(s); return true; } catch { return false; } }, 'ng: host:port'),
    /** Address the embedded side binds to; rtpengine must reach it (the ACD's media address). */
    rtpAddress: z.ipv4().default('127.0.0.1'),
    /** UDP ports of the embedded side, inclusive. Absent: OS-chosen ports. */
    rtpPortRange: z.tuple([z.number().int().min(1024).max(65535), z.number().int().min(1024).max(65535)]).optional(),
    /** Seconds without RTP through rtpengine before `onEnded('rtp-timeout')`. */
    rtpTimeoutSec: z.number().positive().max(3600).default(30),
    /** How often each live leg is queried (its counters for /metrics; a call rtpengine lost ends the leg). */
    pollIntervalSec: z.number().positive().max(60).default(5),
    /** Seconds from negotiation to the first packet of a WebRTC party before `onEnded('ice-failed')` (checked at each poll). */
    connectTimeoutSec: z.number().positive().max(300).default(20),
    ngTimeoutMs: z.number().int().positive().max(30_000).default(3000),
    /**
     * Which legs rtpengine anchors: `webrtc` (browsers only; plain RTP legs — trunks, SIP phones —
     * are the embedded engine's own, on rtpAddress/rtpPortRange, with no rtpengine hop) or `all`.
     * `webrtc` is the cheaper split (docs/media.md: rtpengine 0.50× the CPU of a WebRTC call,
     * 2.3–4.1× of a plain one); `all` when only rtpengine's address may face the parties.
     */
    legs: z.enum(['webrtc', 'all']).default('webrtc'),
  })
  .strict();
export type RtpengineOptions = z.input<typeof RtpengineOptionsSchema>;

/**
 * The media engine with rtpengine in front (MEDIA_ENGINE=rtpengine). rtpengine anchors every
 * party: ICE, DTLS-SRTP, SAVPF ↔ RTP/AVP and PCMA ↔ PCMU are done there, and each leg reaches
 * this process as plain μ-law RTP on an embedded plain RTP endpoint, where music, prompts,
 * bridges, N-party mixes with listen/whisper/barge, `tell`, mute, DTMF and recording work as
 * with the embedded engine (docs/media.md, "rtpengine"). What runs in which process is
 * therefore fixed per operation, not per call.
 */
export class RtpengineMediaEngine implements MediaEngine {
  private readonly ng: NgChannel;
  /** The embedded engine, used for plain RTP endpoints only (the side facing rtpengine). */
  private readonly embedded: WeriftMediaEngine;
  private readonly endpoints = new Set<RtpengineEndpoint>();
  private readonly retired = { received: 0, sent: 0 };
  private readonly poller: NodeJS.Timeout;
  private readonly log: Logger;
  private readonly connectTimeoutSec: number;
  private readonly legs: 'webrtc' | 'all';
  /** Plain RTP legs of the embedded engine facing their party directly (legs: webrtc). */
  private readonly direct = new Set<RtpEndpoint>();
  private closed = false;

  constructor(log: Logger, options: RtpengineOptions) {
    const o = RtpengineOptionsSchema.parse(options);
    this.log = log.child({ part: 'acd', module: 'media', engine: 'rtpengine' });
    this.connectTimeoutSec = o.connectTimeoutSec;
    this.legs = o.legs;
    this.ng = new NgChannel(parseNgAddress(o.ng), this.log, o.ngTimeoutMs);
    this.embedded = new WeriftMediaEngine(log, {
      rtpAddress: o.rtpAddress,
      rtpTimeoutSec: o.rtpTimeoutSec,
      ...(o.rtpPortRange ? { rtpPortRange: o.rtpPortRange } : {}),
    });
    this.poller = setInterval(() => void this.pollAll(), o.pollIntervalSec * 1000);
    this.poller.unref();
  }

  /** Checks rtpengine answers (NG ping): the ACD refuses to start without its media. */
  async start(): Promise<void> {
    const reply = await this.ng.command('ping', {});
    if (reply.result !== 'pong') throw new MediaStateError(`rtpengine ping: ${reply.result}`);
  }

  /** rtpengine answers an NG ping now (readiness: without it no new call can be anchored). */
  async probe(): Promise<boolean> {
    try {
      return (await this.ng.command('ping', {})).result === 'pong';
    } catch {
      return false;
    }
  }

  get clips(): ClipLibrary {
    return this.embedded.clips;
  }

  loadClipsFromDir(dir: string): Promise<string[]> {
    return this.embedded.loadClipsFromDir(dir);
  }

  /** A WebRTC leg is always anchored in rtpengine; a plain one only with `legs: all`. */
  createEndpoint(opts: { legId: string; kind?: 'webrtc' }): Promise<RtpengineEndpoint>;
  createEndpoint(opts: { legId: string; kind?: MediaKind }): Promise<RtpengineEndpoint | RtpEndpoint>;
  async createEndpoint(opts: { legId: string; kind?: MediaKind }): Promise<RtpengineEndpoint | RtpEndpoint> {
    if (this.closed) throw new MediaStateError('engine closed');
    if (opts.kind === 'rtp' && this.legs === 'webrtc') {
      // a trunk or a SIP phone: the embedded engine's plain leg, no rtpengine hop
      const ep = await this.embedded.createEndpoint({ legId: opts.legId, kind: 'rtp' });
      this.direct.add(ep);
      return ep;
    }
    const inner = await this.embedded.createEndpoint({ legId: opts.legId, kind: 'rtp' });
    const ep = new RtpengineEndpoint(opts.legId, opts.kind ?? 'webrtc', { ng: this.ng, inner, log: this.log, onClosed: (e) => this.retire(e), connectTimeoutSec: this.connectTimeoutSec });
    this.endpoints.add(ep);
    return ep;
  }

  bridge(a: MediaEndpoint, b: MediaEndpoint): MediaBridge {
    const bridge = this.embedded.bridge(this.own(a), this.own(b));
    return {
      unbridge: () => bridge.unbridge(),
      tell: (to, clip) => bridge.tell(this.own(to), clip),
      finished: () => bridge.finished(),
    };
  }

  record(party: MediaEndpoint, path: string): MediaRecording {
    return this.embedded.record(this.own(party), path);
  }

  mix(): MediaMix {
    const mix = this.embedded.mix();
    const seat = (s: MixSeat): MixSeat => ({ mode: s.mode, whisperTo: s.whisperTo ? this.own(s.whisperTo) : null });
    return {
      add: (ep, s) => mix.add(this.own(ep), seat(s)),
      update: (ep, s) => mix.update(this.own(ep), seat(s)),
      remove: (ep) => mix.remove(this.own(ep)),
      tell: (ep, clip) => mix.tell(this.own(ep), clip),
      get size() {
        return mix.size;
      },
      close: () => mix.close(),
    };
  }

  /**
   * Totals for /metrics from rtpengine's own counters (NG query, refreshed every poll):
   * packets from the parties and toward them. Loss and jitter are those the embedded side
   * measures on what rtpengine hands on.
   */
  figures(): MediaFigures {
    const inner = this.embedded.figures();
    const f: MediaFigures = { engine: 'rtpengine', packetsReceived: this.retired.received, packetsSent: this.retired.sent, packetsLost: inner.packetsLost, jitterMs: inner.jitterMs };
    for (const e of this.endpoints) {
      f.packetsReceived += e.counters?.fromParty ?? 0;
      f.packetsSent += e.counters?.fromAcd ?? 0;
    }
    // plain legs without rtpengine count their own packets (legs: webrtc)
    for (const e of this.direct) {
      f.packetsReceived += e.rtpReceived;
      f.packetsSent += e.rtpSent;
      if (e.closed) {
        this.direct.delete(e);
        this.retired.received += e.rtpReceived;
        this.retired.sent += e.rtpSent;
      }
    }
    return f;
  }

  /** Queries every live leg now (the poller does it every pollIntervalSec). */
  async pollAll(): Promise<void> {
    await Promise.all([...this.endpoints].map((e) => e.poll()));
  }

  /** Live endpoints (tests and health), direct plain legs included. */
  get endpointCount(): number {
    let direct = 0;
    for (const e of this.direct) if (!e.closed) direct++;
    return this.endpoints.size + direct;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.poller);
    await Promise.all([...this.endpoints].map((e) => e.close()));
    this.direct.clear();
    await this.embedded.close();
    this.ng.close();
  }

  private retire(e: RtpengineEndpoint): void {
    if (!this.endpoints.delete(e)) return;
    this.retired.received += e.counters?.fromParty ?? 0;
    this.retired.sent += e.counters?.fromAcd ?? 0;
  }

  /** The embedded endpoint that bridges and mixes join: behind rtpengine, or a direct plain leg. */
  private own(ep: MediaEndpoint): RtpEndpoint {
    if (ep instanceof RtpengineEndpoint) return ep.inner;
    if (ep instanceof RtpEndpoint && this.direct.has(ep)) return ep;
    throw new TypeError('takes endpoints of the rtpengine engine');
  }
}
