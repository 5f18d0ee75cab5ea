import type { RtpQualityFigures } from './rtp-quality';
import { audioProtocolOf, isPlainRtpProtocol } from '../../shared/sdp/sdp-document';
import type { MixMode } from '../../shared/sip-control-ops';

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
  /** Connects two endpoints' audio both ways (any kinds); stops what either was playing. */
  bridge(a: MediaEndpoint, b: MediaEndpoint): MediaBridge;
  /**
   * Records one party across every bridge and mix it is in until `stop()`: a stereo 8 kHz
   * 16-bit WAV at `path`, left = what the party sends, right = what the other parties send it
   * (nothing — silence — while it hears music or a notice). The engine's close() finalises it.
   */
  record(party: MediaEndpoint, path: string): MediaRecording;
  /**
   * A new, empty mixing bridge (N parties, G.711 decoded, mixed, re-encoded per member in its
   * own law, each member's own audio left out of what it hears).
   */
  mix(): MediaMix;
  /**
   * Totals since the engine started, for /metrics (read on scrape, never per packet): an
   * engine that cannot tell leaves it out.
   */
  figures?(): MediaFigures;
  /** The engine's outside dependency answers now (rtpengine's NG ping), for readiness; absent: it has none. */
  probe?(): Promise<boolean>;
  close(): Promise<void>;
}

/** What a media engine has carried (server/metrics/media-metrics.ts). */
export interface MediaFigures {
  /** the engine's name, a label: `werift`, `rtpengine` */
  engine: string;
  packetsReceived: number;
  packetsSent: number;
  /** packets the parties sent that never arrived (sequence gaps) */
  packetsLost: number;
  /** the interarrival jitter of each live leg receiving audio now, ms */
  jitterMs: number[];
}

export type MediaKind = 'webrtc' | 'rtp';

/** SDP direction attribute, as the remote party wrote it in its last offer or answer. */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export type MediaEndCause = 'rtp-timeout' | 'ice-failed' | 'error';

export interface MediaRecording {
  readonly path: string;
  /** False once stop() was called. */
  readonly recording: boolean;
  /** Finalises the file (RIFF sizes written); resolves then, never rejects; safe twice. */
  stop(): Promise<void>;
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
  /**
   * Mutes what this party sends: whoever hears it (bridge peer, mix, recording) gets silence
   * frames in its place, with the stream's numbering kept; the party still hears everyone.
   */
  setMuted(muted: boolean): void;
  /**
   * Sends digits toward this party as RFC 4733 telephone-events (one event per digit,
   * `durationMs` each, the party's other audio held back meanwhile). False when the party
   * negotiated no telephone-event: the caller then uses SIP INFO.
   */
  sendDtmf(digits: string, durationMs: number): boolean;
  /** Packets received from this party so far (for tests and dead-leg detection). */
  readonly rtpReceived: number;
  /** How this party's audio reaches us since the previous call (loss, jitter): the call quality the CTI is told of. */
  takeQuality(): RtpQualityFigures;
  /** Called once when the media dies (ICE/DTLS failure, RTP timeout). */
  onEnded(listener: (cause: MediaEndCause) => void): void;
  close(): Promise<void>;
}

export interface MediaBridge {
  /** Stops forwarding both ways; safe to call twice. */
  unbridge(): void;
  /**
   * Plays a clip once to one party of the bridge only (the recording notice to the caller),
   * while the bridge goes on: that party hears the clip instead of its peer until the clip
   * ends; the peer hears the party as before. On hold, the party hearing music hears the
   * clip, then its music again. False when `to` is not in the bridge, the bridge is undone,
   * or `to` is the party that holds.
   */
  tell(to: MediaEndpoint, clip: string): boolean;
  /** Resolves once the bridge is undone. */
  finished(): Promise<void>;
}

/** Which kind of endpoint answers this offer: `RTP/AVP` → plain RTP, anything with TLS/SAVP(F) → WebRTC. */
export function mediaKindOfSdp(sdp: string): MediaKind {
  return isPlainRtpProtocol(audioProtocolOf(sdp)) ? 'rtp' : 'webrtc';
}

/** What a member of a mixing bridge contributes, and to whom when it whispers. */
export interface MixSeat {
  mode: MixMode;
  /** The one member that hears a `whisper` member; null otherwise. */
  whisperTo: MediaEndpoint | null;
}

export interface MediaMix {
  /** Adds an endpoint (its music stops, any two-party bridge of it is undone). */
  add(ep: MediaEndpoint, seat: MixSeat): void;
  /** Changes a member's mode (listen / whisper / talk) without a gap in anyone's audio. */
  update(ep: MediaEndpoint, seat: MixSeat): void;
  /** Takes an endpoint out; safe for one that is not in. */
  remove(ep: MediaEndpoint): void;
  /**
   * Plays a clip once to one member only (the recording notice to the caller), while the mix goes
   * on: that member hears the clip instead of the others until it ends; the others hear the
   * member as before. False when `to` is not in the mix, or the mix is closed.
   */
  tell(to: MediaEndpoint, clip: string): boolean;
  readonly size: number;
  /** Removes every member and stops the mix's clock; safe to call twice. */
  close(): void;
}
