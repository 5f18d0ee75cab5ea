import type { Leg } from './leg';

/** How long a dial's answer waits for a notice at most (a stuck clip must not hold the bridge). */
const MAX_WAIT_MS = 15_000;
const POLL_MS = 100;

interface Playing {
  clip: string;
  done: Promise<void>;
  finish: () => void;
}

/**
 * The recording notice before a bridge (docs/sip-control-dialect.md, "Telling the caller"): a
 * dial INVITE with `X-PB-Record: on` and `X-PB-Notice: <clip>` has the ACD play the clip once
 * to the parked caller while the device rings, instead of the music; the device's answer is
 * bridged (and recorded) only once the caller has heard it to its end, so the caller is told
 * before anything is recorded. A caller is told each clip once: a second dial (another
 * operator, a ring-all group) does not repeat it.
 */
export class CallerNotices {
  private readonly playing = new WeakMap<Leg, Playing>();
  private readonly told = new WeakMap<Leg, Set<string>>();
  private readonly listening = new WeakSet<object>();

  /** Starts the notice (a dial was accepted); true when the caller is being or has been told. */
  beforeBridge(caller: Leg, clip: string): boolean {
    if (this.told.get(caller)?.has(clip) || this.playing.get(caller)?.clip === clip) return true;
    const ep = caller.endpoint;
    if (!ep || caller.ended || caller.kind !== 'caller' || caller.state !== 'parked') return false;
    let finish = () => {};
    const done = new Promise<void>((r) => (finish = r));
    this.playing.set(caller, { clip, done, finish });
    if (!this.listening.has(ep)) {
      this.listening.add(ep);
      // one listener per endpoint (the engine has no off()); it acts only while a notice is pending
      ep.onPlayDone((name) => this.played(caller, name));
    }
    caller.log.info({ clip }, 'recording notice: telling the caller before the bridge');
    ep.play(clip, { loop: false });
    return true;
  }

  /**
   * Resolves once the caller's notice (if one is playing) has been played to its end, or the
   * caller left or is no longer parked (bounded by MAX_WAIT_MS).
   */
  async settled(caller: Leg): Promise<void> {
    const p = this.playing.get(caller);
    if (!p) return;
    let timer: NodeJS.Timeout | undefined;
    const gone = new Promise<void>((resolve) => {
      const started = Date.now();
      timer = setInterval(() => {
        if (caller.ended || caller.state !== 'parked' || Date.now() - started > MAX_WAIT_MS) resolve();
      }, POLL_MS);
    });
    try {
      await Promise.race([p.done, gone]);
    } finally {
      clearInterval(timer);
    }
    if (this.playing.get(caller) === p) {
      // the clip never finished (the caller left, or it was stopped): nothing more to wait for
      this.playing.delete(caller);
      p.finish();
    }
  }

  private played(caller: Leg, name: string): void {
    const p = this.playing.get(caller);
    if (!p || p.clip !== name) return;
    this.playing.delete(caller);
    const told = this.told.get(caller) ?? new Set<string>();
    told.add(name);
    this.told.set(caller, told);
    caller.log.debug({ clip: name }, 'recording notice played');
    // still waiting for an answer: the music again (an answer waiting on this bridges next and stops it)
    if (!caller.ended && caller.state === 'parked') caller.endpoint?.play(caller.extra.holdAudio ?? 'default');
    p.finish();
  }
}
