import { controlSdp } from '../../shared/sip-control';

/**
 * Just enough of RTCPeerConnection for JsSIP to run signalling-only sessions in Node (the
 * CTI's bank does the same): offers and answers are the control SDP, ICE is "complete" at
 * once, no media, no STUN. Test-only: lets the ACD's tests drive a real JsSIP UA.
 */
class SdpOnlyPeerConnection {
  localDescription: { type: string; sdp: string } | null = null;
  remoteDescription: { type: string; sdp: string } | null = null;
  iceGatheringState = 'complete';
  iceConnectionState = 'new';
  connectionState = 'new';
  signalingState = 'stable';

  async createOffer(): Promise<{ type: string; sdp: string }> {
    return { type: 'offer', sdp: controlSdp(Date.now() % 1e9) };
  }
  async createAnswer(): Promise<{ type: string; sdp: string }> {
    return { type: 'answer', sdp: controlSdp(Date.now() % 1e9) };
  }
  async setLocalDescription(d: { type: string; sdp: string }): Promise<void> {
    this.localDescription = d;
  }
  async setRemoteDescription(d: { type: string; sdp: string }): Promise<void> {
    this.remoteDescription = d;
  }
  addEventListener(): void {}
  removeEventListener(): void {}
  getSenders(): unknown[] {
    return [];
  }
  getReceivers(): unknown[] {
    return [];
  }
  getLocalStreams(): unknown[] {
    return [];
  }
  getRemoteStreams(): unknown[] {
    return [];
  }
  addTrack(): void {}
  close(): void {
    this.signalingState = 'closed';
  }
}

class SdpDescription {
  readonly type: string;
  readonly sdp: string;
  constructor(init: { type: string; sdp: string }) {
    this.type = init.type;
    this.sdp = init.sdp;
  }
}

/** Installs the shim as the global RTCPeerConnection JsSIP looks up (and `window`). */
export function installSdpOnlyPeerConnection(): void {
  const g = globalThis as Record<string, unknown>;
  g.window ??= globalThis;
  g.RTCPeerConnection = SdpOnlyPeerConnection;
  g.RTCSessionDescription = SdpDescription;
}
