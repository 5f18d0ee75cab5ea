import type { Readable } from 'node:stream';
import type { Actor } from '../admin/admin-tx';
import { recordAudit } from '../admin/audit-recorder';
import type { RecordingRow } from '../contracts/admin/recordings';
import { AppError } from '../contracts/result';
import type { PrismaClient } from '../db/generated/client';
import type { Logger } from '../log';
import type { ByteRange, RecordingStorage } from './recording-storage';
import { RecordingStores } from './recording-stores';

/** A recording as the audio route needs it: its row and whether its file is in the store. */
export interface PlayableRecording {
  id: string;
  callId: string;
  fileName: string;
  /** where the file lives (`recordings.storage`) */
  storage: string;
  /** null: the file is missing from the store */
  size: number | null;
}

/**
 * The portal's recordings: list a call's, play or download one (every listen audited), delete
 * one (admins; audited). Authorisation is the route table's; this layer only does the work.
 */
export class RecordingService {
  private readonly log: Logger;
  private readonly stores: RecordingStores;

  constructor(
    private readonly prisma: PrismaClient,
    stores: RecordingStorage | readonly RecordingStorage[],
    logger: Logger,
  ) {
    this.log = logger.child({ part: 'web', module: 'recordings' });
    this.stores = new RecordingStores(stores);
  }

  async listForCall(callId: string): Promise<RecordingRow[]> {
    const rows = await this.prisma.recording.findMany({
      where: { callId },
      orderBy: { startedAt: 'asc' },
      include: { queue: { select: { name: true } }, operator: { select: { name: true } } },
    });
    return Promise.all(
      rows.map(async (r) => ({
        id: r.id,
        callId: r.callId,
        queueName: r.queue?.name ?? null,
        operatorName: r.operator?.name ?? null,
        startedAt: r.startedAt.getTime(),
        durationMs: r.durationMs,
        sizeBytes: Number(r.sizeBytes),
        available: (await this.stat(r.storage, r.fileName)) !== null,
        audioUrl: `/api/admin/recordings/${encodeURIComponent(r.id)}/audio`,
      })),
    );
  }

  async playable(id: string): Promise<PlayableRecording> {
    const r = await this.prisma.recording.findUnique({ where: { id }, select: { id: true, callId: true, fileName: true, storage: true } });
    if (!r) throw new AppError('NOT_FOUND', 'no such recording');
    const st = await this.stat(r.storage, r.fileName);
    return { ...r, size: st?.size ?? null };
  }

  open(rec: PlayableRecording, range?: ByteRange): Readable {
    return this.stores.required(rec.storage).read(rec.fileName, range);
  }

  /** A file in a store this node does not have, or a store that cannot be reached, counts as missing (logged), never an error page. */
  private async stat(kind: string, fileName: string): Promise<{ size: number } | null> {
    const store = this.stores.of(kind);
    if (!store) return null;
    try {
      return await store.stat(fileName);
    } catch (err) {
      this.log.error({ err: err instanceof Error ? err.message : String(err), recording: fileName, storage: kind }, 'recording store did not answer; shown as missing');
      return null;
    }
  }

  /** One audit row per listen or download: who, when, which recording (and which call). */
  async audited(actor: Actor, action: 'recording.listen' | 'recording.download', rec: PlayableRecording): Promise<void> {
    await this.prisma.$transaction((tx) => recordAudit(tx, { actor, action, entity: 'recording', entityId: rec.id, before: null, after: null, data: { callId: rec.callId } }));
    this.log.info({ recordingId: rec.id, callId: rec.callId, actorId: actor.id, action }, 'recording played');
  }

  /** Deletes the file, then the row with its audit entry; a file already gone still lets the row go. */
  async remove(actor: Actor, id: string): Promise<void> {
    const r = await this.prisma.recording.findUnique({ where: { id } });
    if (!r) throw new AppError('NOT_FOUND', 'no such recording');
    const outcome = await this.stores.required(r.storage).remove(r.fileName);
    await this.prisma.$transaction(async (tx) => {
      await tx.recording.deleteMany({ where: { id } });
      await recordAudit(tx, {
        actor,
        action: 'recording.delete',
        entity: 'recording',
        entityId: id,
        before: { id, callId: r.callId, queueId: r.queueId, operatorId: r.operatorId, startedAt: r.startedAt, durationMs: r.durationMs, fileName: r.fileName },
        after: null,
        data: { fileWasMissing: outcome === 'missing' },
      });
    });
    this.log.info({ recordingId: id, callId: r.callId, actorId: actor.id, fileWasMissing: outcome === 'missing' }, 'recording deleted');
  }
}
