import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../db/generated/client';
import type { Logger } from '../log';
import type { FinishedRecording, RecordingsPort } from '../cti/ports/recordings-port';
import type { RecordingStorage, StorageKind } from './recording-storage';
import type { RecordingArchive } from './recording-stores';
import { readWavInfo, WAV_HEADER_PROBE_BYTES, type WavInfo } from './wav-info';

export interface CatalogOptions {
  /** how often the header is read while the ACD is still closing the file */
  pollMs?: number;
  /** how long to wait for the ACD to finalise the file before storing what is on disk */
  finaliseTimeoutMs?: number;
  /** A store finished files are moved into (S3 on a multi-node site); absent: they stay where the ACD wrote them. */
  archive?: RecordingArchive | null;
}

/**
 * Stores a finished recording's row: waits for the ACD to finalise the WAV (its header's sizes
 * cover the file; the ACD closes it when the bridge ends, at about the time the CTI learns of
 * the end), then reads the duration and size from the file itself and inserts the row.
 */
export class RecordingCatalog implements RecordingsPort {
  private readonly log: Logger;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly archive: RecordingArchive | null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly storage: RecordingStorage,
    logger: Logger,
    opts: CatalogOptions = {},
  ) {
    this.log = logger.child({ part: 'cti', module: 'recordings' });
    this.pollMs = opts.pollMs ?? 200;
    this.timeoutMs = opts.finaliseTimeoutMs ?? 15_000;
    this.archive = opts.archive ?? null;
  }

  async recorded(r: FinishedRecording): Promise<void> {
    const log = this.log.child({ callId: r.callId, recording: r.fileName });
    try {
      const probe = await this.waitFinalised(r.fileName);
      if (!probe) {
        log.error('recording file not found in the store; no row stored');
        return;
      }
      if (!probe.info.finalised) log.warn({ waitedMs: this.timeoutMs }, 'recording not finalised in time; storing the length on disk');
      const storage = await this.archived(r.fileName, probe.size, log);
      await this.prisma.recording.create({
        data: {
          id: `rec-${randomBytes(8).toString('hex')}`,
          callId: r.callId,
          queueId: r.queueId,
          operatorId: r.operatorId,
          startedAt: r.startedAt,
          durationMs: probe.info.durationMs,
          sizeBytes: BigInt(probe.size),
          fileName: r.fileName,
          storage,
        },
      });
      log.info({ durationMs: probe.info.durationMs, sizeBytes: probe.size, storage }, 'recording stored');
    } catch (err) {
      log.error({ err }, 'recording row could not be stored');
    }
  }

  /**
   * Moves the finished file into the archive, then removes the ACD's copy; answers where the
   * file now lives. A failed upload keeps the file where it is (the row says so) and is logged.
   */
  private async archived(name: string, size: number, log: Logger): Promise<StorageKind> {
    if (!this.archive) return this.storage.kind;
    try {
      await this.archive.upload(name, this.storage.read(name), size);
    } catch (err) {
      log.error({ err: err instanceof Error ? err.message : String(err), store: this.archive.kind }, 'recording upload failed; kept in the ACD directory');
      return this.storage.kind;
    }
    try {
      await this.storage.remove(name);
    } catch (err) {
      // uploaded: the row points at the archive; the local copy is only disk space now
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'uploaded recording could not be removed locally');
    }
    log.debug({ store: this.archive.kind }, 'recording uploaded; local copy removed');
    return this.archive.kind;
  }

  /** The file's size and header once finalised (or at the deadline); null when it never appeared or is not a WAV. */
  private async waitFinalised(name: string): Promise<{ size: number; info: WavInfo } | null> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const st = await this.storage.stat(name);
      const head = st ? await this.storage.head(name, WAV_HEADER_PROBE_BYTES) : null;
      const info = st && head ? readWavInfo(head, st.size) : null;
      if (st && info && (info.finalised || Date.now() >= deadline)) return { size: st.size, info };
      if (Date.now() >= deadline) return null;
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }
}
