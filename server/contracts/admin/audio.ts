import { z } from 'zod';
import { RowId, Version, type ChangeStamp } from './paging';

/**
 * The audio library: prompts and hold music uploaded (WAV, MP3) or synthesised from a sentence,
 * stored as 8 kHz mono 16-bit PCM, picked by name as a queue's or a number's hold audio.
 * The limits are here so the page can refuse a file before sending it and say the same words.
 */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const MAX_DURATION_SEC = 600;
export const MAX_TTS_CHARS = 1000;
/** The built-in hold music every installation has; not stored, cannot be renamed or deleted. */
export const BUILT_IN_CLIP = 'default';

export const AudioKind = z.enum(['prompt', 'music']);
export type AudioKind = z.infer<typeof AudioKind>;
export const AUDIO_KIND_LABEL: Record<AudioKind, string> = { prompt: 'Prompt', music: 'Hold music' };

/** A library clip's name: what queues and numbers refer to, and the ACD plays by. */
export const ClipName = z
  .string({ error: 'enter a name' })
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, dash and underscore, starting with a letter or digit (at most 64)')
  .refine((n) => n !== BUILT_IN_CLIP, `"${BUILT_IN_CLIP}" is the built-in music; choose another name`);

/** espeak-ng voices offered (a fixed list: the value goes to the synthesiser as an argument). */
export const VOICES = {
  'en-us': 'English (US)',
  'en-gb': 'English (UK)',
  de: 'German',
  fr: 'French',
  es: 'Spanish',
  it: 'Italian',
  nl: 'Dutch',
  pt: 'Portuguese',
  pl: 'Polish',
  sv: 'Swedish',
} as const;
export const Voice = z.enum(Object.keys(VOICES) as [keyof typeof VOICES, ...(keyof typeof VOICES)[]], { error: 'choose a voice from the list' });
export type Voice = z.infer<typeof Voice>;

/** The fields of an upload (multipart/form-data: `name`, `kind`, then the `file`). */
export const AudioUploadFields = z.object({ name: ClipName, kind: AudioKind }).strict();
export type AudioUploadFields = z.infer<typeof AudioUploadFields>;

/** POST /api/admin/audio/synthesize */
export const AudioSynthesize = z
  .object({
    name: ClipName,
    kind: AudioKind,
    text: z.string({ error: 'type the sentence to speak' }).trim().min(1, 'type the sentence to speak').max(MAX_TTS_CHARS, `at most ${MAX_TTS_CHARS} characters`),
    voice: Voice,
    /** words per minute; espeak-ng's default is 175 */
    speed: z.number({ error: 'a speed from 80 to 300 words a minute' }).int().min(80, 'at least 80 words a minute').max(300, 'at most 300 words a minute'),
  })
  .strict();
export type AudioSynthesize = z.infer<typeof AudioSynthesize>;

/** PATCH /api/admin/audio/:id */
export const AudioUpdate = z.object({ name: ClipName, kind: AudioKind, version: Version }).strict();
export type AudioUpdate = z.infer<typeof AudioUpdate>;

export const AudioId = RowId;

export interface AudioRow extends ChangeStamp {
  id: string;
  name: string;
  kind: AudioKind;
  source: 'upload' | 'tts';
  /** the synthesised sentence, or the uploaded file's name */
  text: string | null;
  voice: string | null;
  durationMs: number;
  bytes: number;
  createdAt: number;
  createdByName: string | null;
  /** where it is used ("queue Sales", "number +4930…"); a clip in use cannot be deleted */
  usedBy: string[];
}

/** A choice for the hold-audio pickers: the built-in music first, then the library. */
export interface AudioOption {
  name: string;
  kind: AudioKind;
  durationMs: number;
  builtIn: boolean;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
