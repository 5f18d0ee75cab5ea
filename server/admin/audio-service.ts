import { randomBytes } from 'node:crypto';
import { convertUpload } from '../audio/convert-upload';
import { AudioFileError, AudioToolUnavailable } from '../audio/audio-file-error';
import { synthesise } from '../audio/speech-synth';
import { synthesizeHoldMusic } from '../acd/media/hold-music';
import { writeWav8kMono16 } from '../acd/media/wav';
import { BUILT_IN_CLIP, type AudioKind, type AudioOption, type AudioRow, type AudioSynthesize, type AudioUpdate, type AudioUploadFields } from '../contracts/admin/audio';
import { AppError } from '../contracts/result';
import type { Logger } from '../log';
import type { Actor, PrismaClient, Tx } from './admin-tx';
import { AdminWriter, editorNames } from './admin-writer';
import { clipUsages } from './audio-usages';
import { expectUpdated } from './optimistic-lock';
import { QUEUE_CLIP_SOURCE } from './press-one-clip';

/** Every column but the audio bytes (lists never read those). */
const META = {
  id: true, name: true, kind: true, source: true, text: true, voice: true, durationMs: true, bytes: true,
  createdAt: true, createdBy: true, version: true, updatedAt: true, updatedBy: true,
} as const;

type Meta = { id: string; name: string; kind: string; source: string; text: string | null; voice: string | null; durationMs: number; bytes: number; createdAt: Date; createdBy: string | null; version: number; updatedAt: Date; updatedBy: string | null };

const NOT_QUEUE_CLIP = { source: { not: QUEUE_CLIP_SOURCE } };

/** What the audit row says about a clip: never its bytes. */
const snapshot = (m: Pick<Meta, 'name' | 'kind' | 'source' | 'text' | 'voice' | 'durationMs'>) => ({ name: m.name, kind: m.kind, source: m.source, text: m.text, voice: m.voice, durationMs: m.durationMs });

/**
 * The audio library: uploads converted to 8 kHz mono, sentences synthesised, clips renamed and
 * deleted (not while a queue or number uses one), and the WAV for the page's preview. The
 * conversion runs before the transaction (it takes seconds for a long file); the row, its
 * audit entry and the change notification then go in together, so a refused file leaves nothing.
 */
export class AudioService {
  private builtIn: Buffer | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly writer: AdminWriter,
    private readonly log: Logger,
  ) {}

  async list(): Promise<AudioRow[]> {
    // a queue's press-1 sentence is the queue's (made and dropped with it), not the admin's to pick or edit
    const rows = await this.prisma.audioClip.findMany({ where: NOT_QUEUE_CLIP, select: META, orderBy: { name: 'asc' } });
    const [names, used] = await Promise.all([editorNames(this.prisma, rows.flatMap((r) => [r.createdBy, r.updatedBy])), clipUsages(this.prisma, rows.map((r) => r.name))]);
    return rows.map((r) => toRow(r, names, used.get(r.name) ?? []));
  }

  /** The pickers' choices: the built-in music, then every library clip. */
  async options(): Promise<AudioOption[]> {
    const rows = await this.prisma.audioClip.findMany({ where: NOT_QUEUE_CLIP, select: { name: true, kind: true, durationMs: true }, orderBy: { name: 'asc' } });
    return [{ name: BUILT_IN_CLIP, kind: 'music', durationMs: 8000, builtIn: true }, ...rows.map((r) => ({ name: r.name, kind: r.kind as AudioKind, durationMs: r.durationMs, builtIn: false }))];
  }

  async get(id: string): Promise<AudioRow> {
    const r = await this.prisma.audioClip.findUnique({ where: { id }, select: META });
    if (!r || r.source === QUEUE_CLIP_SOURCE) throw new AppError('NOT_FOUND', 'no such clip');
    const [names, used] = await Promise.all([editorNames(this.prisma, [r.createdBy, r.updatedBy]), clipUsages(this.prisma, [r.name])]);
    return toRow(r, names, used.get(r.name) ?? []);
  }

  /** The clip as a WAV (8 kHz mono 16-bit) for the browser to play; `default` is the built-in music. */
  async wav(name: string): Promise<Buffer> {
    if (name === BUILT_IN_CLIP) return (this.builtIn ??= writeWav8kMono16(synthesizeHoldMusic()));
    const r = await this.prisma.audioClip.findUnique({ where: { name }, select: { wav: true } });
    if (!r) throw new AppError('NOT_FOUND', 'no such clip');
    return Buffer.from(r.wav);
  }

  async upload(actor: Actor, fields: AudioUploadFields, file: { name: string; bytes: Buffer }): Promise<AudioRow> {
    await this.assertNameFree(this.prisma, fields.name, null);
    const clip = await convertUpload(file.bytes).catch(fileError('file', this.log));
    return this.store(actor, { ...fields, source: 'upload', text: file.name.slice(0, 200) || null, voice: null }, clip.pcm, clip.durationMs);
  }

  async synthesise(actor: Actor, input: AudioSynthesize): Promise<AudioRow> {
    await this.assertNameFree(this.prisma, input.name, null);
    const started = Date.now();
    const clip = await synthesise(input.text, input.voice, input.speed).catch(fileError('text', this.log));
    this.log.info({ name: input.name, chars: input.text.length, ms: Date.now() - started }, 'sentence synthesised');
    return this.store(actor, { name: input.name, kind: input.kind, source: 'tts', text: input.text, voice: `${input.voice} ${input.speed} wpm` }, clip.pcm, clip.durationMs);
  }

  async update(actor: Actor, id: string, input: AudioUpdate): Promise<AudioRow> {
    await this.writer.write(actor, async (tx) => {
      const before = await tx.audioClip.findUnique({ where: { id }, select: META });
      if (!before || before.source === QUEUE_CLIP_SOURCE) throw new AppError('NOT_FOUND', 'no such clip');
      if (input.name !== before.name) {
        await this.assertNameFree(tx, input.name, id);
        const used = (await clipUsages(tx, [before.name])).get(before.name);
        if (used) throw new AppError('CONFLICT', `this clip is in use (${used.join('; ')}); choose another clip there before renaming it`, { name: `in use by ${used.join('; ')}` });
      }
      const r = await tx.audioClip.updateMany({ where: { id, version: input.version }, data: { name: input.name, kind: input.kind, version: { increment: 1 }, updatedAt: new Date(), updatedBy: actor.id } });
      await expectUpdated(tx, r.count, () => tx.audioClip.findUnique({ where: { id }, select: META }), 'clip');
      return { result: null, audit: { action: 'audio.update', entity: 'audio', entityId: id, before: snapshot(before), after: snapshot({ ...before, ...input }) }, change: 'update' };
    });
    return this.get(id);
  }

  async remove(actor: Actor, id: string, version: number): Promise<void> {
    await this.writer.write(actor, async (tx) => {
      const before = await tx.audioClip.findUnique({ where: { id }, select: META });
      if (!before || before.source === QUEUE_CLIP_SOURCE) throw new AppError('NOT_FOUND', 'no such clip');
      const used = (await clipUsages(tx, [before.name])).get(before.name);
      if (used) throw new AppError('CONFLICT', `this clip is in use (${used.join('; ')}); choose another clip there first`);
      const r = await tx.audioClip.deleteMany({ where: { id, version } });
      await expectUpdated(tx, r.count, () => tx.audioClip.findUnique({ where: { id }, select: META }), 'clip');
      return { result: null, audit: { action: 'audio.delete', entity: 'audio', entityId: id, before: snapshot(before), after: null }, change: 'delete' };
    });
  }

  private async store(actor: Actor, m: { name: string; kind: AudioKind; source: 'upload' | 'tts'; text: string | null; voice: string | null }, pcm: Int16Array, durationMs: number): Promise<AudioRow> {
    const id = `a-${randomBytes(6).toString('hex')}`;
    const wav = writeWav8kMono16(pcm);
    await this.writer.write(actor, async (tx) => {
      await this.assertNameFree(tx, m.name, null);
      await tx.audioClip.create({ data: { id, ...m, durationMs, bytes: wav.length, wav: new Uint8Array(wav), createdBy: actor.id, updatedBy: actor.id } });
      return { result: null, audit: { action: m.source === 'tts' ? 'audio.synthesise' : 'audio.upload', entity: 'audio', entityId: id, before: null, after: { ...snapshot({ ...m, durationMs }), bytes: wav.length } }, change: 'create' };
    });
    return this.get(id);
  }

  private async assertNameFree(db: PrismaClient | Tx, name: string, exceptId: string | null): Promise<void> {
    const other = await db.audioClip.findUnique({ where: { name }, select: { id: true } });
    if (other && other.id !== exceptId) throw new AppError('CONFLICT', 'another clip has this name', { name: 'another clip has this name' });
  }
}

/** A refused file or sentence becomes a field message on `field`. */
function fileError(field: string, log: Logger): (err: unknown) => never {
  return (err) => {
    if (err instanceof AudioFileError) throw new AppError('BAD_REQUEST', err.message, { [field]: err.message });
    if (err instanceof AudioToolUnavailable) {
      log.error({ err }, 'an audio tool could not start');
      throw new AppError('UNAVAILABLE', err.message);
    }
    throw err;
  };
}

function toRow(r: Meta, names: Map<string, string>, usedBy: string[]): AudioRow {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as AudioKind,
    source: r.source as 'upload' | 'tts',
    text: r.text,
    voice: r.voice,
    durationMs: r.durationMs,
    bytes: r.bytes,
    createdAt: r.createdAt.getTime(),
    createdByName: r.createdBy ? (names.get(r.createdBy) ?? null) : null,
    usedBy,
    version: r.version,
    updatedAt: r.updatedAt.getTime(),
    updatedByName: r.updatedBy ? (names.get(r.updatedBy) ?? null) : null,
  };
}
