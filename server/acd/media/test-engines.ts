import type { Logger } from '../../log';
import type { ClipLibrary } from './clip-library';
import type { G711Law } from './g711';
import type { MediaEndpoint, MediaEngine, MediaKind } from './media-engine';
import { RtpengineMediaEngine } from './rtpengine/rtpengine-media-engine';
import { TestRtpengineDaemon } from './test-rtpengine-daemon';
import { WeriftMediaEngine } from './werift-media-engine';

/**
 * Test helper: the same media tests against both engines (MEDIA_ENGINE=werift|rtpengine).
 * `describe.each(ENGINES)` and one `EngineUnderTest` per file: a real rtpengine daemon is
 * started for the file the first time the rtpengine engine is asked for, and stopped in
 * `stop()` (afterAll).
 */
export const ENGINES = ['werift', 'rtpengine'] as const;
export type EngineName = (typeof ENGINES)[number];

/** What the tests read of an endpoint of either engine. */
export type TestEndpoint = MediaEndpoint & { readonly codec: G711Law | null; readonly connected: boolean; readonly isPlaying: boolean };

export interface TestEngine extends MediaEngine {
  readonly name: EngineName;
  readonly clips: ClipLibrary;
  readonly endpointCount: number;
  createEndpoint(opts: { legId: string; kind?: MediaKind }): Promise<TestEndpoint>;
}

export interface TestEngineOptions {
  rtpTimeoutSec?: number;
  /** the embedded engine's plain RTP ports (both engines) */
  rtpPortRange?: [number, number];
  /** the embedded engine's ICE ports (werift only: rtpengine uses its own range) */
  portRange?: [number, number];
}

export class EngineUnderTest {
  private daemon: Promise<TestRtpengineDaemon> | null = null;

  constructor(private readonly log: Logger) {}

  async make(name: EngineName, opts: TestEngineOptions = {}): Promise<TestEngine> {
    if (name === 'werift') {
      const e = new WeriftMediaEngine(this.log, { rtpTimeoutSec: opts.rtpTimeoutSec ?? 30, ...(opts.rtpPortRange ? { rtpPortRange: opts.rtpPortRange } : {}), ...(opts.portRange ? { portRange: opts.portRange } : {}) });
      return Object.assign(e, { name }) as WeriftMediaEngine & { name: EngineName };
    }
    this.daemon ??= TestRtpengineDaemon.start();
    const d = await this.daemon;
    // legs: all — the plain-phone tests of the rtpengine engine go through rtpengine (with the
    // default, legs: webrtc, they would be the embedded engine's own legs again)
    const e = new RtpengineMediaEngine(this.log, { ng: d.ng, rtpTimeoutSec: opts.rtpTimeoutSec ?? 30, pollIntervalSec: 1, legs: 'all', ...(opts.rtpPortRange ? { rtpPortRange: opts.rtpPortRange } : {}) });
    await e.start();
    return Object.assign(e, { name }) as RtpengineMediaEngine & { name: EngineName };
  }

  /** The daemon of this file (rtpengine runs only), e.g. to read its log or its port range. */
  rtpengine(): Promise<TestRtpengineDaemon> {
    this.daemon ??= TestRtpengineDaemon.start();
    return this.daemon;
  }

  async stop(): Promise<void> {
    const d = this.daemon;
    this.daemon = null;
    if (d) await (await d).stop();
  }
}
