import { controlSdp } from './control-sdp';
import { looksLikeSdp } from './sdp-document';

/**
 * A stand-in for RTCPeerConnection that only carries SDP, so JsSIP can run signalling-only
 * dialogs in Node: the CTI's bank runs on it, and the ACD's JsSIP interop test drives a real
 * JsSIP UA with it (one shim for both, so the test exercises what production runs). Control dialogs never carry media: every local description is
 * `controlSdp()` (`a=inactive`), and ICE gathering is "complete" from the start so JsSIP
 * sends its offer/answer at once.
 *
 * It implements exactly what JsSIP 3.13's RTCSession touches (read from
 * node_modules/jssip/lib/RTCSession.js): createOffer, createAnswer, setLocalDescription,
 * setRemoteDescription, localDescription, remoteDescription, signalingState,
 * iceGatheringState, iceConnectionState, add/removeEventListener, getSenders, addTrack,
 * close. `addTrack` throws: a track would mean JsSIP asked for media, which is a bug here.
 */

export interface SdpDescription {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp: string;
}

/** Global `RTCSessionDescription` stand-in: JsSIP does `new RTCSessionDescription({type, sdp})`. */
export class SdpOnlySessionDescription implements SdpDescription {
  readonly type: SdpDescription['type'];
  readonly sdp: string;
  constructor(init: { type: SdpDescription['type']; sdp?: string }) {
    this.type = init.type;
    this.sdp = init.sdp ?? '';
  }
  toJSON(): SdpDescription {
    return { type: this.type, sdp: this.sdp };
  }
}

type SignalingState = 'stable' | 'have-local-offer' | 'have-remote-offer' | 'closed';

let nextSessionId = Math.floor(Date.now() / 1000);

export class SdpOnlyPeerConnection extends EventTarget {
  signalingState: SignalingState = 'stable';
  readonly iceGatheringState = 'complete';
  iceConnectionState: 'new' | 'closed' = 'new';
  connectionState: 'new' | 'closed' = 'new';
  localDescription: SdpOnlySessionDescription | null = null;
  remoteDescription: SdpOnlySessionDescription | null = null;
  private readonly sessionId = nextSessionId++;
  private version = 1;

  constructor(_config?: unknown, _constraints?: unknown) {
    super();
  }

  async createOffer(_options?: unknown): Promise<SdpDescription> {
    this.assertOpen();
    return { type: 'offer', sdp: this.sdp() };
  }

  async createAnswer(_options?: unknown): Promise<SdpDescription> {
    this.assertOpen();
    if (this.signalingState !== 'have-remote-offer') throw new DOMExceptionLike('InvalidStateError', 'no remote offer to answer');
    return { type: 'answer', sdp: this.sdp() };
  }

  async setLocalDescription(desc: SdpDescription): Promise<void> {
    this.assertOpen();
    this.localDescription = new SdpOnlySessionDescription(desc);
    this.signalingState = desc.type === 'offer' ? 'have-local-offer' : 'stable';
  }

  async setRemoteDescription(desc: SdpDescription): Promise<void> {
    this.assertOpen();
    // Refuse what is not SDP at all; JsSIP then answers 488 instead of accepting garbage.
    if (!looksLikeSdp(desc.sdp)) {
      throw new DOMExceptionLike('InvalidAccessError', 'remote description is not SDP');
    }
    this.remoteDescription = new SdpOnlySessionDescription(desc);
    this.signalingState = desc.type === 'offer' ? 'have-remote-offer' : 'stable';
  }

  getSenders(): never[] {
    return [];
  }

  getReceivers(): never[] {
    return [];
  }

  getTransceivers(): never[] {
    return [];
  }

  addTrack(): never {
    throw new DOMExceptionLike('NotSupportedError', 'control dialogs carry no media');
  }

  close(): void {
    this.signalingState = 'closed';
    this.iceConnectionState = 'closed';
    this.connectionState = 'closed';
  }

  private sdp(): string {
    return controlSdp(this.sessionId, '127.0.0.1', this.version++);
  }

  private assertOpen(): void {
    if (this.signalingState === 'closed') throw new DOMExceptionLike('InvalidStateError', 'peer connection is closed');
  }
}

class DOMExceptionLike extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Fallback only (see load-jssip.ts, which binds these names inside JsSIP's modules instead).
 * Makes JsSIP's browser checks pass in Node: `window.RTCPeerConnection` (UA.js, RTCSession.js)
 * and the globals `RTCPeerConnection` / `RTCSessionDescription`. `window` is a minimal object,
 * not `globalThis`, so other libraries do not mistake Node for a browser. Idempotent; never
 * replaces a real implementation that is already there.
 */
export function installSdpOnlyWebRtc(): void {
  const g = globalThis as Record<string, unknown>;
  if (g.RTCPeerConnection === undefined) g.RTCPeerConnection = SdpOnlyPeerConnection;
  if (g.RTCSessionDescription === undefined) g.RTCSessionDescription = SdpOnlySessionDescription;
  if (g.window === undefined) g.window = { RTCPeerConnection: g.RTCPeerConnection };
  const w = g.window as Record<string, unknown>;
  if (w.RTCPeerConnection === undefined) w.RTCPeerConnection = g.RTCPeerConnection;
}
