import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../log';
import { makeClip, makeClipGently, type AudioClip } from './audio-clip';
import { synthesizeHoldMusic } from './hold-music';
import { parseWav8kMono16 } from './wav';

export const DEFAULT_CLIP = 'default';
/** The built-in spoken pieces: the waiting callers' announcements (server/shared/wait-prompts.ts) and the phones' press-1 question (server/shared/press-one-prompt.ts). */
export const PROMPTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'prompts');
const CLIP_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Where the audio library's clips come from (the portal's `audio_clips` table in this process;
 * a node of its own could read them over any transport). A clip's `stamp` changes whenever its
 * audio does, so a sync fetches only what is new or changed.
 */
export interface ClipSource {
  list(): Promise<Array<{ name: string; stamp: string }>>;
  /** the clip as a WAV of 8 kHz mono 16-bit PCM; null when it has gone meanwhile */
  wav(name: string): Promise<Buffer | null>;
}

/**
 * Named clips, each encoded once. `default` (synthesised hold music) always exists;
 * more come from `*.wav` files in a directory, named after the file (`queue-1.wav` → `queue-1`),
 * and from the audio library through `sync()` (a library clip wins over a file of the same name).
 * A call playing a clip holds the clip itself, so a clip removed here plays on to that call's end.
 * The spoken pieces of the position and wait announcements (`say-*`, PROMPTS_DIR) are built in
 * like `default`; a library clip of the same name replaces one (an admin's own recording), and
 * the built-in comes back if that clip is deleted.
 */
export class ClipLibrary {
  private readonly clips = new Map<string, AudioClip>();
  /** library clips loaded by sync(): name → stamp */
  private readonly synced = new Map<string, string>();
  /** the built-in prompts, kept to come back when a library clip that replaced one goes */
  private readonly builtIn = new Map<string, AudioClip>();

  constructor(private readonly log: Logger) {
    this.clips.set(DEFAULT_CLIP, makeClip(DEFAULT_CLIP, synthesizeHoldMusic()));
    for (const file of readdirSync(PROMPTS_DIR)) {
      if (!file.endsWith('.wav')) continue;
      const name = file.slice(0, -4);
      // ~40 small files read once per engine: synchronous keeps the constructor a constructor
      const clip = makeClip(name, parseWav8kMono16(readFileSync(path.join(PROMPTS_DIR, file))));
      this.builtIn.set(name, clip);
      this.clips.set(name, clip);
    }
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

  /**
   * Brings the library's clips in line with `source`: new and changed ones loaded (each before
   * the old one is dropped, so a name is never briefly missing), removed ones dropped. A clip
   * that fails to load is logged and skipped; the others still load.
   */
  async sync(source: ClipSource): Promise<{ loaded: string[]; removed: string[] }> {
    const listed = await source.list();
    const wanted = new Map(listed.map((c) => [c.name, c.stamp]));
    const loaded: string[] = [];
    for (const { name, stamp } of listed) {
      if (this.synced.get(name) === stamp || name === DEFAULT_CLIP) continue;
      try {
        const wav = await source.wav(name);
        if (!wav) continue;
        if (!CLIP_NAME.test(name)) throw new RangeError(`bad clip name ${JSON.stringify(name)}`);
        this.clips.set(name, await makeClipGently(name, parseWav8kMono16(wav)));
        this.synced.set(name, stamp);
        loaded.push(name);
      } catch (err) {
        this.log.warn({ clip: name, err: (err as Error).message }, 'library clip skipped');
      }
    }
    const removed: string[] = [];
    for (const name of [...this.synced.keys()]) {
      if (wanted.has(name)) continue;
      this.synced.delete(name);
      const builtIn = this.builtIn.get(name);
      if (builtIn) this.clips.set(name, builtIn);
      else this.clips.delete(name);
      removed.push(name);
    }
    if (loaded.length || removed.length) this.log.info({ loaded, removed }, 'audio library synced');
    return { loaded, removed };
  }
}
