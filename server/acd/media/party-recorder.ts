import type { Logger } from '../../log';
import type { EndpointBase, MediaFrame } from './endpoint-base';
import { decode } from './g711';
import type { MediaRecording } from './media-engine';
import { StereoWavRecorder } from './stereo-wav-recorder';

/**
 * A recording that follows one party (the caller's leg) rather than one bridge, so it spans the
 * whole conversation in one file: left = what the party says, right = what the other parties
 * send it through whatever bridge or mix it is in at the time — the peer of a two-party bridge,
 * the party's own mix (talkers, a barging supervisor; never a listen-only member nor a whisper
 * meant for someone else), the next operator after a transfer. Hold music and notices are not
 * bridge audio: a held stretch is the party's own channel against silence (docs/recordings.md).
 */
export class PartyRecorder implements MediaRecording {
  private readonly wav: StereoWavRecorder;
  private readonly offs: Array<() => void>;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly ep: EndpointBase,
    readonly path: string,
    private readonly log: Logger,
    private readonly onStopped: (r: PartyRecorder) => void = () => {},
  ) {
    this.wav = new StereoWavRecorder(path, log);
    const push = (channel: 0 | 1) => (f: MediaFrame) => {
      if (f.codec !== 'telephone-event') this.wav.push(channel, decode(f.payload, f.codec));
    };
    this.offs = [ep.subscribeRtp(push(0)), ep.subscribeHeard(push(1))];
    log.info({ legId: ep.legId, recordTo: path }, 'recording the party');
  }

  get recording(): boolean {
    return this.stopping === null;
  }

  /** Finalises the file (safe twice); a failure is logged, never thrown (the call goes on). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const off of this.offs.splice(0)) off();
      try {
        await this.wav.close();
      } catch (err) {
        this.log.error({ legId: this.ep.legId, err: err instanceof Error ? err.message : String(err) }, 'recording could not be finalised');
      } finally {
        this.onStopped(this);
      }
    })();
    return this.stopping;
  }
}
