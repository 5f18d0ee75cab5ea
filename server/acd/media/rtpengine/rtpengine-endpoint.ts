import { randomBytes } from 'node:crypto';
import type { Logger } from '../../../log';
import type { G711Law } from '../g711';
import { MediaStateError } from '../media-errors';
import type { MediaDirection, MediaEndCause, MediaEndpoint, MediaKind, PlayOptions } from '../media-engine';
import type { RtpEndpoint } from '../rtp-endpoint';
import type { RtpQualityFigures } from '../rtp-quality';
import { answerTowardParty, forWebrtcParty, offerTowardParty, onlyMuLaw, towardAcd } from './ng-flags';
import type { NgChannel } from './ng-channel';
import { legCounters, type LegCounters } from './ng-query';
import { RtpengineError } from './ng-channel';

type Phase = 'new' | 'offered' | 'connected' | 'closed';

export interface RtpengineEndpointDeps {
  readonly ng: NgChannel;
  /** The embedded engine's plain RTP endpoint that faces rtpengine (mixing, music, DTMF, recording). */
  readonly inner: RtpEndpoint;
  readonly log: Logger;
  readonly onClosed: (ep: RtpengineEndpoint) => void;
  /** Seconds from negotiation to the first packet from a WebRTC party before `ice-failed`. */
  readonly connectTimeoutSec: number;
}

/**
 * One party's leg anchored in rtpengine. The party's media (ICE, DTLS-SRTP, SAVPF, or plain
 * RTP; PCMU or PCMA) ends in an rtpengine call of its own; rtpengine hands it on as plain
 * μ-law RTP to an embedded plain RTP endpoint (`inner`) on this machine, which does
 * everything above the transport exactly as for an embedded leg: music, prompts, bridges,
 * mixes, DTMF, mute, recording. So the expensive parts per packet — SRTP, ICE, transcoding —
 * run in rtpengine's C, and the ACD's contract is kept whole.
 *
 * NG tags: the party's monologue is `p-…`, the embedded side's `a-…`; whoever offers is the
 * `from-tag` of that offer (the party on an incoming call and on every re-INVITE, the ACD when
 * it dials).
 */
export class RtpengineEndpoint implements MediaEndpoint {
  readonly callId: string;
  private readonly partyTag: string;
  private readonly acdTag: string;
  private phase: Phase = 'new';
  private partyLaw: G711Law | null = null;
  private endedCause: MediaEndCause | null = null;
  private readonly endedListeners: Array<(cause: MediaEndCause) => void> = [];
  private closing: Promise<void> | null = null;
  /** The latest counters rtpengine reported for this leg (NG query), for /metrics. */
  counters: LegCounters | null = null;
  private readonly log: Logger;
  /** When negotiation completed (performance.now()), for the ICE/DTLS deadline. */
  private negotiatedAt = 0;

  constructor(
    readonly legId: string,
    readonly kind: MediaKind,
    private readonly deps: RtpengineEndpointDeps,
  ) {
    const id = randomBytes(6).toString('hex');
    this.callId = `pb-${legId}-${id}`;
    this.partyTag = `p-${id}`;
    this.acdTag = `a-${id}`;
    this.log = deps.log.child({ legId, rtpengineCallId: this.callId });
    // the embedded side's own watchdog (no RTP from rtpengine = none from the party) ends this leg too
    deps.inner.onEnded((cause) => this.end(cause));
  }

  /** The embedded plain RTP endpoint behind rtpengine (bridges and mixes join these). */
  get inner(): RtpEndpoint {
    return this.deps.inner;
  }

  /** The law the party speaks with rtpengine (the embedded side always gets μ-law). */
  get codec(): G711Law | null {
    return this.partyLaw;
  }

  get connected(): boolean {
    return this.phase === 'connected';
  }

  async answer(remoteOffer: string): Promise<string> {
    if (this.phase === 'connected') return (await this.answerReoffer(remoteOffer)).sdp;
    if (this.phase !== 'new') throw new MediaStateError(`answer() in phase ${this.phase}`);
    const toAcd = await this.ng('offer', { 'from-tag': this.partyTag, sdp: remoteOffer, ...towardAcd() });
    const innerAnswer = await this.deps.inner.answer(toAcd);
    const back = await this.ng('answer', { 'from-tag': this.partyTag, 'to-tag': this.acdTag, sdp: innerAnswer, ...answerTowardParty(this.kind) });
    this.partyLaw = firstLaw(back);
    this.phase = 'connected';
    this.negotiatedAt = performance.now();
    return back;
  }

  async offer(): Promise<string> {
    if (this.phase !== 'new') throw new MediaStateError(`offer() in phase ${this.phase}`);
    const innerOffer = onlyMuLaw(await this.deps.inner.offer());
    const toParty = await this.ng('offer', { 'from-tag': this.acdTag, sdp: innerOffer, ...offerTowardParty(this.kind) });
    this.phase = 'offered';
    return toParty;
  }

  async acceptAnswer(remoteAnswer: string): Promise<void> {
    if (this.phase !== 'offered') throw new MediaStateError(`acceptAnswer() in phase ${this.phase}`);
    const toAcd = await this.ng('answer', { 'from-tag': this.acdTag, 'to-tag': this.partyTag, sdp: remoteAnswer, ...towardAcd({ answer: true }) });
    this.partyLaw = firstLaw(remoteAnswer);
    await this.deps.inner.acceptAnswer(toAcd);
    this.phase = 'connected';
    this.negotiatedAt = performance.now();
  }

  async answerReoffer(remoteOffer: string): Promise<{ sdp: string; remoteDirection: MediaDirection }> {
    if (this.phase !== 'connected') throw new MediaStateError(`answerReoffer() in phase ${this.phase}`);
    // rtpengine passes the party's direction on to the embedded side, which applies the hold
    const toAcd = await this.ng('offer', { 'from-tag': this.partyTag, 'to-tag': this.acdTag, sdp: remoteOffer, ...towardAcd() });
    const inner = await this.deps.inner.answerReoffer(toAcd);
    const sdp = await this.ng('answer', { 'from-tag': this.partyTag, 'to-tag': this.acdTag, sdp: inner.sdp, ...answerTowardParty(this.kind) });
    return { sdp, remoteDirection: inner.remoteDirection };
  }

  setDirection(remoteDirection: MediaDirection): void {
    this.deps.inner.setDirection(remoteDirection);
  }

  get remoteDirection(): MediaDirection {
    return this.deps.inner.remoteDirection;
  }

  play(clip: string, opts?: PlayOptions): void {
    this.deps.inner.play(clip, opts);
  }

  /** A clip is playing to this party (from the embedded side). */
  get isPlaying(): boolean {
    return this.deps.inner.isPlaying;
  }

  stopPlayback(): void {
    this.deps.inner.stopPlayback();
  }

  onPlayDone(listener: (clip: string) => void): void {
    this.deps.inner.onPlayDone(listener);
  }

  onDtmf(listener: (digit: string, durationMs: number) => void): void {
    this.deps.inner.onDtmf(listener);
  }

  setMuted(muted: boolean): void {
    this.deps.inner.setMuted(muted);
  }

  sendDtmf(digits: string, durationMs: number): boolean {
    return this.deps.inner.sendDtmf(digits, durationMs);
  }

  /** Packets rtpengine handed on from the party. */
  get rtpReceived(): number {
    return this.deps.inner.rtpReceived;
  }

  takeQuality(): RtpQualityFigures {
    return this.deps.inner.takeQuality();
  }

  onEnded(listener: (cause: MediaEndCause) => void): void {
    if (this.phase === 'closed') return;
    const cause = this.endedCause;
    if (cause) queueMicrotask(() => this.call(listener, cause));
    else this.endedListeners.push(listener);
  }

  /** The media died (rtpengine lost the call, or no RTP came through): reported once. */
  end(cause: MediaEndCause): void {
    if (this.endedCause || this.phase === 'closed') return;
    this.endedCause = cause;
    this.log.info({ cause }, 'rtpengine leg ended');
    for (const l of this.endedListeners.splice(0)) this.call(l, cause);
  }

  /**
   * Reads rtpengine's counters for this leg (NG `query`). A call rtpengine no longer has —
   * its own media timeout, a restart of the daemon — ends the leg with `error`; a WebRTC party
   * that sent rtpengine nothing `connectTimeoutSec` after negotiation, with `ice-failed`.
   */
  async poll(): Promise<void> {
    if (this.phase !== 'connected' || this.endedCause) return;
    try {
      const reply = await this.deps.ng.command('query', { 'call-id': this.callId });
      this.counters = legCounters(reply, { party: this.partyTag, acd: this.acdTag });
      // a browser whose ICE or DTLS never came up with rtpengine has sent it no media at all
      const overdue = (performance.now() - this.negotiatedAt) / 1000 > this.deps.connectTimeoutSec;
      if (this.kind === 'webrtc' && this.counters.fromParty === 0 && overdue) this.end('ice-failed');
    } catch (err) {
      if (this.phase !== 'connected') return;
      if (err instanceof RtpengineError && /unknown call-id/i.test(err.message)) this.end('error');
      else this.log.warn({ err }, 'rtpengine query failed');
    }
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const negotiated = this.phase !== 'new';
    this.phase = 'closed';
    this.endedListeners.length = 0;
    // out of the engine's live set at once (as the embedded engine does), counted in its totals
    this.deps.onClosed(this);
    await this.deps.inner.close();
    if (negotiated) {
      // a call rtpengine already dropped (its own timeout, a restart) is not an error here
      await this.deps.ng.command('delete', { 'call-id': this.callId }).catch((err: unknown) => this.log.debug({ err }, 'rtpengine delete failed'));
    }
  }

  private async ng(command: 'offer' | 'answer', body: Record<string, unknown>): Promise<string> {
    const reply = await this.deps.ng.command(command, { 'call-id': this.callId, ...body });
    if (!reply.sdp) throw new MediaStateError(`rtpengine ${command} returned no SDP`);
    const towardParty = body['from-tag'] === this.acdTag ? command === 'offer' : command === 'answer';
    return towardParty && this.kind === 'webrtc' ? forWebrtcParty(reply.sdp) : reply.sdp;
  }

  private call(listener: (cause: MediaEndCause) => void, cause: MediaEndCause): void {
    try {
      listener(cause);
    } catch (err) {
      this.log.error({ err }, 'ended listener failed');
    }
  }
}

/** The first G.711 law on an SDP's audio m-line (what the party will speak). */
function firstLaw(sdp: string): G711Law | null {
  const m = /^m=audio \d+ \S+ ([\d ]+)/m.exec(sdp);
  for (const pt of m?.[1]?.trim().split(' ') ?? []) {
    if (pt === '0') return 'PCMU';
    if (pt === '8') return 'PCMA';
  }
  return null;
}
