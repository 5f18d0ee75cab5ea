import { AppError } from '../contracts/result';
import { BUILT_IN_CLIP } from '../contracts/admin/audio';
import type { PrismaClient, Tx } from './admin-tx';

/**
 * Where clips are used: every column that names one. A clip in use is not deleted or renamed;
 * a saved queue or number must name a clip that exists. A new column that names a clip is one
 * more line in `usages`.
 */
async function usages(db: PrismaClient | Tx, names: string[] | null): Promise<Array<{ clip: string; where: string }>> {
  const inNames = names ? { in: names } : undefined;
  const [queueHold, queueMaxWait, queueClosed, queueFull, queueBusy, numberHold, numberClosed] = await Promise.all([
    db.queue.findMany({ where: inNames ? { holdAudio: inNames } : {}, select: { name: true, holdAudio: true } }),
    db.queue.findMany({ where: { maxWaitMessage: inNames ?? { not: null } }, select: { name: true, maxWaitMessage: true } }),
    db.queue.findMany({ where: { closedAudio: inNames ?? { not: null } }, select: { name: true, closedAudio: true } }),
    db.queue.findMany({ where: { fullAudio: inNames ?? { not: null } }, select: { name: true, fullAudio: true } }),
    db.queue.findMany({ where: { busyAudio: inNames ?? { not: null } }, select: { name: true, busyAudio: true } }),
    db.number.findMany({ where: inNames ? { holdAudio: inNames } : {}, select: { e164: true, holdAudio: true } }),
    db.number.findMany({ where: { closedAudio: inNames ?? { not: null } }, select: { e164: true, closedAudio: true } }),
  ]);
  return [
    ...queueHold.map((q) => ({ clip: q.holdAudio, where: `queue ${q.name} (hold audio)` })),
    ...queueMaxWait.map((q) => ({ clip: q.maxWaitMessage ?? '', where: `queue ${q.name} (maximum-wait message)` })),
    ...queueClosed.map((q) => ({ clip: q.closedAudio ?? '', where: `queue ${q.name} (closed message)` })),
    ...queueFull.map((q) => ({ clip: q.fullAudio ?? '', where: `queue ${q.name} (queue-full message)` })),
    ...queueBusy.map((q) => ({ clip: q.busyAudio ?? '', where: `queue ${q.name} (busy message)` })),
    ...numberHold.map((n) => ({ clip: n.holdAudio, where: `number ${n.e164} (hold audio)` })),
    ...numberClosed.map((n) => ({ clip: n.closedAudio ?? '', where: `number ${n.e164} (closed message)` })),
  ];
}

/** clip name → where it is used (only clips that are used appear). */
export async function clipUsages(db: PrismaClient | Tx, names: string[] | null = null): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const u of await usages(db, names)) out.set(u.clip, [...(out.get(u.clip) ?? []), u.where]);
  return out;
}

/**
 * A queue's or a number's clip must be the built-in music or a library clip. A name it already
 * had is kept as it is (clips from the ACD's audio directory, set before the library existed).
 */
export async function assertClipExists(tx: Tx, field: string, name: string | null, previous: string | null): Promise<void> {
  if (name === null || name === BUILT_IN_CLIP || name === previous) return;
  if (await tx.audioClip.findUnique({ where: { name }, select: { id: true } })) return;
  throw new AppError('BAD_REQUEST', 'choose a clip from the audio library', { [field]: `there is no clip "${name}" in the audio library` });
}
