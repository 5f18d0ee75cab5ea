import { randomBytes } from 'node:crypto';
import { writeWav8kMono16 } from '../acd/media/wav';
import { synthesise } from '../audio/speech-synth';
import type { Logger } from '../log';
import { press1ClipName, press1Sentence, withPause } from '../shared/press-one-prompt';
import type { Actor, Tx } from './admin-tx';
import type { AdminWriter } from './admin-writer';

/** Queue clips are the library's rows of this source: never listed, picked or edited there. */
export const QUEUE_CLIP_SOURCE = 'queue';

/** Says a sentence as 8 kHz mono PCM: the composition root's choice of synthesiser. */
export type Speech = (text: string) => Promise<Int16Array>;

/** The audio library's synthesiser (espeak-ng in WebAssembly), in the voice of the built-in prompts. */
export const espeakSpeech: Speech = async (text) => (await synthesise(text, 'en-gb', 165)).pcm;

/** What a save needs to know to decide whether the sentence must be said anew. */
interface QueueSaid {
  name: string;
  press1Mobile: boolean;
  press1SipPhone: boolean;
}

/**
 * "Press 1 to take this call from <name>", made for each queue that asks phones to press 1
 * (server/shared/press-one-prompt.ts says why one synthesised sentence). It is made **after** the
 * save, not inside it: synthesis takes seconds here, and a save must not wait on a prompt. The
 * clip row and `queues.press1_clip` then go in with an audit entry (`queue.press1-sentence`) and a
 * `queue` change notification — the ACD's clip library and the CTI's routing cache reload on it.
 * The queue's version is not bumped: an admin's open form stays current. Until the sentence exists
 * (or if synthesis fails, logged) the phones hear the built-in one without the name.
 */
export class PressOneSentences {
  /** the sentence being made, per queue (tests wait on it) */
  private readonly making = new Map<string, Promise<void>>();

  constructor(
    private readonly writer: AdminWriter,
    private readonly speak: Speech,
    private readonly log: Logger,
  ) {}

  /** After a queue's save: makes its sentence when it is new, renamed, just turned on, or has none yet. */
  afterSave(actor: Actor, queueId: string, saved: QueueSaid, before: { name: string; press1Clip: string | null } | null): void {
    if (!saved.press1Mobile && !saved.press1SipPhone) return;
    if (before && before.name === saved.name && before.press1Clip) return;
    const run = (this.making.get(queueId) ?? Promise.resolve()).then(() => this.make(actor, queueId, saved.name));
    this.making.set(queueId, run);
    void run.finally(() => {
      if (this.making.get(queueId) === run) this.making.delete(queueId);
    });
  }

  /** Resolves once no sentence is being made for this queue (tests). */
  async settled(queueId: string): Promise<void> {
    while (this.making.has(queueId)) await this.making.get(queueId);
  }

  private async make(actor: Actor, queueId: string, name: string): Promise<void> {
    const text = press1Sentence(name);
    try {
      const started = Date.now();
      const pcm = withPause(await this.speak(text));
      const wav = writeWav8kMono16(pcm);
      const clipName = press1ClipName(queueId);
      await this.writer.write(actor, async (tx) => {
        const q = await tx.queue.findUnique({ where: { id: queueId }, select: { name: true, press1Clip: true } });
        // deleted meanwhile, or renamed again (that save's own sentence follows this one): nothing to write
        if (!q || q.name !== name) throw new Outdated();
        const stored = await storeClip(tx, clipName, text, wav, Math.round(pcm.length / 8), actor.id);
        await tx.queue.update({ where: { id: queueId }, data: { press1Clip: stored } });
        return { result: null, audit: { action: 'queue.press1-sentence', entity: 'queue', entityId: queueId, before: { press1Clip: q.press1Clip }, after: { press1Clip: stored, text } }, change: 'update' };
      });
      this.log.info({ queueId, ms: Date.now() - started }, 'the queue’s press-1 sentence was synthesised');
    } catch (err) {
      if (err instanceof Outdated) return void this.log.debug({ queueId }, 'press-1 sentence outdated by a later save; not stored');
      this.log.warn({ err, queueId }, 'the queue’s press-1 sentence could not be made; its phones hear the sentence without the name');
    }
  }
}

class Outdated extends Error {}

/** Stores (or replaces) the clip; null when a library clip an admin made already has that name (theirs is never overwritten). */
async function storeClip(tx: Tx, name: string, text: string, wav: Buffer, durationMs: number, actorId: string): Promise<string | null> {
  const existing = await tx.audioClip.findUnique({ where: { name }, select: { id: true, source: true } });
  if (existing && existing.source !== QUEUE_CLIP_SOURCE) return null;
  const data = { kind: 'prompt', source: QUEUE_CLIP_SOURCE, text, voice: 'en-gb 165 wpm', durationMs, bytes: wav.length, wav: new Uint8Array(wav), updatedBy: actorId };
  if (existing) await tx.audioClip.update({ where: { id: existing.id }, data: { ...data, version: { increment: 1 }, updatedAt: new Date() } });
  else await tx.audioClip.create({ data: { id: `a-${randomBytes(6).toString('hex')}`, name, ...data, createdBy: actorId } });
  return name;
}

/** The queue is gone: so is its clip. */
export async function dropPressOne(tx: Tx, queueId: string): Promise<void> {
  await tx.audioClip.deleteMany({ where: { name: press1ClipName(queueId), source: QUEUE_CLIP_SOURCE } });
}
