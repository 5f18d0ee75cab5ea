import type { MediaBridge, MediaDirection, MediaEndCause, MediaEndpoint, MediaEngine, MediaKind, MediaMix, MediaRecording, MixSeat } from '../media/media-engine';

/**
 * Test double of the media engine (the real one is werift, built elsewhere): it returns
 * valid-looking SDP and records what signalling asked of it, so tests can check that a
 * caller goes back to music or that a bridge is undone.
 */
export class TestMediaEngine implements MediaEngine {
  readonly events: string[] = [];
  readonly endpoints = new Map<string, TestEndpoint>();
  private nextPort = 40000;

  async createEndpoint(opts: { legId: string; kind?: MediaKind }): Promise<MediaEndpoint> {
    const ep = new TestEndpoint(opts.legId, this.nextPort, this.events, opts.kind ?? 'webrtc');
    this.nextPort += 2;
    this.endpoints.set(opts.legId, ep);
    this.events.push(`create ${opts.legId}`);
    return ep;
  }

  bridge(a: MediaEndpoint, b: MediaEndpoint): MediaBridge {
    a.stopPlayback();
    b.stopPlayback();
    this.events.push(`bridge ${a.legId} ${b.legId}`);
    let done = false;
    const events = this.events;
    return {
      unbridge: () => {
        if (done) return;
        done = true;
        events.push(`unbridge ${a.legId} ${b.legId}`);
      },
      tell: (to: MediaEndpoint, clip: string) => {
        if (done || (to !== a && to !== b)) return false;
        events.push(`tell ${to.legId} ${clip}`);
        return true;
      },
      finished: async () => {},
    };
  }

  record(party: MediaEndpoint, path: string): MediaRecording {
    const events = this.events;
    events.push(`record ${party.legId} ${path}`);
    let on = true;
    return {
      path,
      get recording() {
        return on;
      },
      stop: async () => {
        if (on) events.push(`stop-record ${party.legId}`);
        on = false;
      },
    };
  }

  mix(): MediaMix {
    const members = new Set<MediaEndpoint>();
    const events = this.events;
    return {
      add(ep: MediaEndpoint, seat: MixSeat) {
        ep.stopPlayback();
        members.add(ep);
        events.push(`mix add ${ep.legId} ${seat.mode}`);
      },
      update(ep: MediaEndpoint, seat: MixSeat) {
        events.push(`mix mode ${ep.legId} ${seat.mode}`);
      },
      remove(ep: MediaEndpoint) {
        if (members.delete(ep)) events.push(`mix remove ${ep.legId}`);
      },
      tell(ep: MediaEndpoint, clip: string) {
        if (!members.has(ep)) return false;
        events.push(`mix tell ${ep.legId} ${clip}`);
        return true;
      },
      get size() {
        return members.size;
      },
      close() {
        members.clear();
      },
    };
  }

  async close(): Promise<void> {
    for (const ep of this.endpoints.values()) await ep.close();
  }
}

export class TestEndpoint implements MediaEndpoint {
  readonly rtpReceived = 0;
  takeQuality() {
    return { packets: 0, lossPct: 0, jitterMs: 0 };
  }
  playing: string | null = null;
  closed = false;
  remoteDirection: MediaDirection = 'sendrecv';
  private endListeners: Array<(cause: MediaEndCause) => void> = [];
  private dtmfListeners: Array<(digit: string, durationMs: number) => void> = [];
  private playDoneListeners: Array<(clip: string) => void> = [];

  constructor(
    readonly legId: string,
    private readonly port: number,
    private readonly events: string[],
    readonly kind: MediaKind = 'webrtc',
  ) {}

  /** Test hooks: what the real engine reports from the network. */
  emitEnded(cause: MediaEndCause): void {
    for (const l of this.endListeners.splice(0)) l(cause);
  }

  emitDtmf(digit: string, durationMs: number): void {
    for (const l of this.dtmfListeners) l(digit, durationMs);
  }

  emitPlayDone(clip: string): void {
    for (const l of this.playDoneListeners) l(clip);
  }

  private sdp(): string {
    return [
      'v=0',
      `o=- ${this.port} 1 IN IP4 127.0.0.1`,
      's=patchbay-test',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${this.port} RTP/AVP 0 8 101`,
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=sendrecv',
      '',
    ].join('\r\n');
  }

  async answer(remoteOffer: string): Promise<string> {
    if (!remoteOffer.startsWith('v=0')) throw new Error('not an SDP offer');
    return this.sdp();
  }

  async offer(): Promise<string> {
    return this.sdp();
  }

  async acceptAnswer(remoteAnswer: string): Promise<void> {
    if (!remoteAnswer.startsWith('v=0')) throw new Error('not an SDP answer');
  }

  async answerReoffer(remoteOffer: string): Promise<{ sdp: string; remoteDirection: MediaDirection }> {
    if (!remoteOffer.startsWith('v=0')) throw new Error('not an SDP offer');
    const dir = /^a=(sendrecv|sendonly|recvonly|inactive)$/m.exec(remoteOffer)?.[1] as MediaDirection | undefined;
    this.setDirection(dir ?? 'sendrecv');
    return { sdp: this.sdp(), remoteDirection: this.remoteDirection };
  }

  setDirection(remoteDirection: MediaDirection): void {
    this.remoteDirection = remoteDirection;
    this.events.push(`direction ${this.legId} ${remoteDirection}`);
  }

  onPlayDone(listener: (clip: string) => void): void {
    this.playDoneListeners.push(listener);
  }

  onDtmf(listener: (digit: string, durationMs: number) => void): void {
    this.dtmfListeners.push(listener);
  }

  play(clip: string): void {
    this.playing = clip;
    this.events.push(`play ${this.legId} ${clip}`);
  }

  stopPlayback(): void {
    if (this.playing) this.events.push(`stop ${this.legId}`);
    this.playing = null;
  }

  setMuted(muted: boolean): void {
    this.events.push(`${muted ? 'mute' : 'unmute'} ${this.legId}`);
  }

  sendDtmf(digits: string, durationMs: number): boolean {
    this.events.push(`dtmf ${this.legId} ${digits} ${durationMs}`);
    return true;
  }

  onEnded(listener: (cause: MediaEndCause) => void): void {
    this.endListeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.playing = null;
    this.events.push(`close ${this.legId}`);
  }
}

export const TEST_SDP = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 50000 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=sendrecv',
  '',
].join('\r\n');
