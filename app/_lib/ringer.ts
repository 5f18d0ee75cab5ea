/**
 * The operator's ring: public/sounds/ringtone.wav (440 + 480 Hz, 1 s on, 2 s off; made by
 * scripts/make-sounds.mjs), looped while a call is offered. The element is created and primed
 * on a click, because browsers only let audio start after a gesture on the page.
 */
export const RINGTONE_URL = '/sounds/ringtone.wav';

export class Ringer {
  private audio: HTMLAudioElement | null = null;
  private ringing = false;

  /** Call from a click handler, before any call can ring. */
  unlock(): void {
    if (this.audio || typeof Audio === 'undefined') return;
    const audio = new Audio(RINGTONE_URL);
    audio.loop = true;
    audio.preload = 'auto';
    audio.volume = 0.5;
    // a muted play/pause inside the gesture lets later play() calls through
    audio.muted = true;
    void audio
      .play()
      .then(() => {
        if (!this.ringing) audio.pause(); // a call may have been offered while priming
      })
      .catch(() => undefined)
      .finally(() => (audio.muted = false));
    this.audio = audio;
  }

  start(): void {
    this.ringing = true;
    const audio = this.audio;
    if (!audio || !audio.paused) return;
    audio.currentTime = 0;
    void audio.play().catch(() => undefined);
  }

  stop(): void {
    this.ringing = false;
    this.audio?.pause();
  }

  close(): void {
    this.stop();
    if (this.audio) this.audio.src = '';
    this.audio = null;
  }
}
