/**
 * The ACD's only door to media. Signalling code (server/acd/*) talks to this interface and
 * never to RTP, ICE or DTLS. The embedded engine (werift, in-process) is the default; an
 * rtpengine adapter can stand behind the same interface for scale.
 *
 * Contract:
 * - An endpoint is one party's media (one SIP leg). It MUST anchor media: audio between two
 *   parties always flows party → ACD → party.
 * - `close()` MUST be safe to call twice and MUST stop playback, unbridge and free ports.
 * - The engine MUST NOT throw out of timers or socket callbacks; failures go to `onEnded`.
 */
export interface MediaEngine {
  /** A WebRTC endpoint (ICE, DTLS-SRTP, G.711). */
  createEndpoint(opts: { legId: string }): Promise<MediaEndpoint>;
  /** Connects two endpoints' audio both ways; stops what either was playing. */
  bridge(a: MediaEndpoint, b: MediaEndpoint): MediaBridge;
  close(): Promise<void>;
}

export interface MediaEndpoint {
  readonly legId: string;
  /** Answer a remote offer (an INVITE with SDP); returns the local answer SDP. */
  answer(remoteOffer: string): Promise<string>;
  /** Make a local offer (an INVITE the ACD sends); pair with `acceptAnswer`. */
  offer(): Promise<string>;
  acceptAnswer(remoteAnswer: string): Promise<void>;
  /** Loop a pre-encoded clip to this party (hold music) until stopped or bridged. */
  play(clip: string): void;
  stopPlayback(): void;
  /** Packets received from this party so far (for tests and dead-leg detection). */
  readonly rtpReceived: number;
  /** Called once when the media dies (ICE/DTLS failure, RTP timeout). */
  onEnded(listener: (cause: 'rtp-timeout' | 'ice-failed' | 'error') => void): void;
  close(): Promise<void>;
}

export interface MediaBridge {
  /** Stops forwarding both ways; safe to call twice. */
  unbridge(): void;
}
