import type { PrismaClient } from '../db/generated/client';
import type { Logger } from '../log';
import type { RecordingStorage } from './recording-storage';
import { RecordingStores } from './recording-stores';

const DAY_MS = 86_400_000;

export interface RetentionReport {
  /** recordings whose file and row were removed */
  removed: Array<{ id: string; callId: string; queueId: string | null; fileName: string; startedAt: Date; fileWasMissing: boolean }>;
  /** recordings whose file could not be removed: their rows stay, to be tried again next run */
  failed: Array<{ id: string; fileName: string; error: string }>;
}

/**
 * The retention job: deletes every recording older than its queue's retention (days since it
 * started; a recording whose queue was deleted uses the default), file first, then its row, so a
 * row never points at a file that was deleted. A file already gone is no reason to keep the row.
 * Each run logs and audits what it removed (one `recording.retention` audit row, no actor).
 */
export class RecordingRetention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<RetentionReport> | null = null;
  private readonly log: Logger;
  private readonly stores: RecordingStores;

  constructor(
    private readonly prisma: PrismaClient,
    stores: RecordingStorage | readonly RecordingStorage[],
    logger: Logger,
    private readonly defaultDays: number,
  ) {
    this.log = logger.child({ part: 'web', module: 'recording-retention' });
    this.stores = new RecordingStores(stores);
  }

  /** Runs the job every `intervalSec` (and once shortly after start); runs never overlap. */
  start(intervalSec: number, firstRunAfterMs = 5_000): void {
    if (this.timer) return;
    const tick = () => void this.run().catch((err: unknown) => this.log.error({ err }, 'retention run failed'));
    this.timer = setTimeout(() => {
      tick();
      this.timer = setInterval(tick, intervalSec * 1000);
      this.timer.unref();
    }, firstRunAfterMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer); // clearTimeout also clears an interval
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One run now (the scheduler's, or a test's); a run already under way is joined, not doubled. */
  run(now: Date = new Date()): Promise<RetentionReport> {
    this.running ??= this.sweep(now).finally(() => (this.running = null));
    return this.running;
  }

  private async sweep(now: Date): Promise<RetentionReport> {
    const report: RetentionReport = { removed: [], failed: [] };
    const queues = await this.prisma.queue.findMany({ select: { id: true, recordingRetentionDays: true } });
    const cutoffs: Array<{ queueId: string | null; before: Date }> = [
      ...queues.map((q) => ({ queueId: q.id, before: new Date(now.getTime() - q.recordingRetentionDays * DAY_MS) })),
      { queueId: null, before: new Date(now.getTime() - this.defaultDays * DAY_MS) },
    ];
    for (const c of cutoffs) {
      // in batches, oldest first (index on queue_id, started_at), so a large backlog does not load at once
      for (;;) {
        const expired = await this.prisma.recording.findMany({
          where: { queueId: c.queueId, startedAt: { lt: c.before }, id: { notIn: report.failed.map((f) => f.id) } },
          orderBy: { startedAt: 'asc' },
          take: 200,
          select: { id: true, callId: true, queueId: true, fileName: true, startedAt: true, storage: true },
        });
        if (expired.length === 0) break;
        for (const r of expired) {
          try {
            const outcome = await this.stores.required(r.storage).remove(r.fileName);
            await this.prisma.recording.deleteMany({ where: { id: r.id } });
            report.removed.push({ id: r.id, callId: r.callId, queueId: r.queueId, fileName: r.fileName, startedAt: r.startedAt, fileWasMissing: outcome === 'missing' });
          } catch (err) {
            const error = err instanceof Error ? err.message : String(err);
            this.log.error({ recordingId: r.id, recording: r.fileName, error }, 'expired recording could not be deleted; kept for the next run');
            report.failed.push({ id: r.id, fileName: r.fileName, error });
          }
        }
      }
    }
    if (report.removed.length > 0 || report.failed.length > 0) {
      this.log.info(
        { removed: report.removed.length, missingFiles: report.removed.filter((r) => r.fileWasMissing).length, failed: report.failed.length, ids: report.removed.map((r) => r.id) },
        'retention: expired recordings deleted',
      );
      await this.prisma.auditLog.create({
        data: {
          actorId: null,
          action: 'recording.retention',
          entity: 'recording',
          data: { removed: report.removed.map((r) => ({ id: r.id, callId: r.callId, queueId: r.queueId, startedAt: r.startedAt.toISOString(), fileWasMissing: r.fileWasMissing })), failed: report.failed },
        },
      });
    } else this.log.debug('retention: nothing expired');
    return report;
  }
}
