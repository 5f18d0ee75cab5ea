import { audioProtocolOf, isPlainRtpProtocol } from '../../shared/sdp/sdp-document';

/**
 * The ACD's only door to media. Signalling code (server/acd/*) talks to this interface and
 * never to RTP, ICE or DTLS. The embedded engine (werift for WebRTC legs, Node UDP sockets
 * for plain RTP legs, in-process) is the default; an rtpengine adapter can stand behind the
 * same interface for scale.
 *
 * Contract:
 * - An endpoint is one party's media (one SIP leg). It MUST anchor media: audio between two
 *   parties always flows party → ACD → party.
 * - `close()` MUST be safe to call twice and MUST stop playback, unbridge and free ports.
 * - The engine MUST NOT throw out of timers or socket callbacks; failures go to `onEnded`.
 * - Listener exceptions MUST NOT reach the media path (they are caught and logged).
 */
export interface MediaEngine {
  /**
   * A new endpoint. `kind` says how the party speaks media:
   * - `webrtc` (default): ICE + DTLS-SRTP, `UDP/TLS/RTP/SAVPF` (browsers);
   * - `rtp`: plain RTP/AVP over UDP, no ICE, no encryption (trunks, SIP phones).
   * For an incoming offer pick it with `mediaKindOfSdp(offer)`; for offers the ACD makes,
   * the caller of this method knows what it is dialling.
   */
  createEndpoint(opts: { legId: string; kind?: MediaKind }): Promise<MediaEndpoint>;
  /**
   * Connects two endpoints' audio both ways (any kinds); stops what either was playing.
   * `recordTo`: a file path; the bridge's audio is written there as a stereo 8 kHz 16-bit WAV
   * (left = a, right = b), finalised when the bridge is undone (see `MediaBridge.finished`).
   */
  bridge(a: MediaEndpoint, b: MediaEndpoint, opts?: BridgeOptions): MediaBridge;
  close(): Promise<void>;
}

export type MediaKind = 'webrtc' | 'rtp';

/** SDP direction attribute, as the remote party wrote it in its last offer or answer. */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export type MediaEndCause = 'rtp-timeout' | 'ice-failed' | 'error';

export interface BridgeOptions {
  /** Record the bridge to this path (stereo WAV, left = a, right = b). */
  recordTo?: string;
}

export interface PlayOptions {
  /** Loop until stopped (hold music, the default) or play once and report `onPlayDone` (announcements). */
  loop?: boolean;
}

export interface MediaEndpoint {
  readonly legId: string;
  readonly kind: MediaKind;
  /** Answer a remote offer (an INVITE with SDP); returns the local answer SDP. */
  answer(remoteOffer: string): Promise<string>;
  /** Make a local offer (an INVITE the ACD sends); pair with `acceptAnswer`. */
  offer(): Promise<string>;
  acceptAnswer(remoteAnswer: string): Promise<void>;
  /**
   * Answer a new offer on a live leg (re-INVITE or UPDATE): keeps ports, ICE and DTLS, applies
   * the party's new direction (`sendonly`/`inactive` = the party holds: its bridge peer hears
   * music; `sendrecv` again = resume: the bridge is restored) and returns the answer SDP.
   */
  answerReoffer(remoteOffer: string): Promise<{ sdp: string; remoteDirection: MediaDirection }>;
  /** Applies a remote direction without SDP (the same hold/resume effects as `answerReoffer`). */
  setDirection(remoteDirection: MediaDirection): void;
  /** The remote party's current direction (`sendrecv` until it says otherwise). */
  readonly remoteDirection: MediaDirection;
  /**
   * Plays a pre-encoded clip to this party: looped (hold music, the default) until stopped or
   * bridged, or once (`{ loop: false }`, announcements) and then `onPlayDone(clip)`.
   * Unknown names play `default` with a warning.
   */
  play(clip: string, opts?: PlayOptions): void;
  stopPlayback(): void;
  /** Called when a `{ loop: false }` clip has been sent to its end (not when stopped early). */
  onPlayDone(listener: (clip: string) => void): void;
  /**
   * Called once per RFC 4733 telephone-event received from this party (on its end packet;
   * the three end retransmissions count once). `digit` is 0-9, *, #, A-D; `durationMs` as sent.
   */
  onDtmf(listener: (digit: string, durationMs: number) => void): void;
  /** Packets received from this party so far (for tests and dead-leg detection). */
  readonly rtpReceived: number;
  /** Called once when the media dies (ICE/DTLS failure, RTP timeout). */
  onEnded(listener: (cause: MediaEndCause) => void): void;
  close(): Promise<void>;
}

export interface MediaBridge {
  /** Stops forwarding both ways (and recording); safe to call twice. */
  unbridge(): void;
  /** Resolves once the bridge is undone and its recording (if any) is finalised on disk. */
  finished(): Promise<void>;
}

/** Which kind of endpoint answers this offer: `RTP/AVP` → plain RTP, anything with TLS/SAVP(F) → WebRTC. */
export function mediaKindOfSdp(sdp: string): MediaKind {
  return isPlainRtpProtocol(audioProtocolOf(sdp)) ? 'rtp' : 'webrtc';
}
