import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../log';
import { makeClip, type AudioClip } from './audio-clip';
import { synthesizeHoldMusic } from './hold-music';
import { parseWav8kMono16 } from './wav';

export const DEFAULT_CLIP = 'default';
const CLIP_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Named clips, each encoded once. `default` (synthesised hold music) always exists;
 * more come from `*.wav` files in a directory, named after the file (`queue-1.wav` → `queue-1`).
 */
export class ClipLibrary {
  private readonly clips = new Map<string, AudioClip>();

  constructor(private readonly log: Logger) {
    this.clips.set(DEFAULT_CLIP, makeClip(DEFAULT_CLIP, synthesizeHoldMusic()));
  }

  get(name: string): AudioClip | undefined {
    return this.clips.get(name);
  }

  names(): string[] {
    return [...this.clips.keys()];
  }

  add(name: string, pcm8k: Int16Array): AudioClip {
    if (!CLIP_NAME.test(name)) throw new RangeError(`bad clip name ${JSON.stringify(name)}`);
    const clip = makeClip(name, pcm8k);
    this.clips.set(name, clip);
    return clip;
  }

  /** Loads every `*.wav` in `dir`; a bad file is logged and skipped. Returns the names loaded. */
  async loadClipsFromDir(dir: string): Promise<string[]> {
    const loaded: string[] = [];
    for (const file of (await readdir(dir)).sort()) {
      if (!file.toLowerCase().endsWith('.wav')) continue;
      const name = file.slice(0, -4).toLowerCase();
      try {
        this.add(name, parseWav8kMono16(await readFile(path.join(dir, file))));
        loaded.push(name);
      } catch (err) {
        this.log.warn({ file, err: (err as Error).message }, 'clip skipped');
      }
    }
    this.log.info({ dir, loaded }, 'clips loaded');
    return loaded;
  }
}
