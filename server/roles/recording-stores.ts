import type { Config } from '../config';
import type { Logger } from '../log';
import { LocalRecordingStorage } from '../recordings/local-recording-storage';
import { S3RecordingStorage } from '../recordings/s3-recording-storage';

export interface RecordingStores {
  local: LocalRecordingStorage;
  s3: S3RecordingStorage | null;
  /** where a recording may be: the ACD's directory, then the bucket */
  all: Array<LocalRecordingStorage | S3RecordingStorage>;
  close(): void;
}

/**
 * Recordings: the ACD writes them into its directory (the embedded store); the CTI catalogues
 * each recorded call once it ends; the portal plays them; the retention job deletes old ones.
 * With RECORDINGS_STORE=s3 the catalog moves each finished file into the bucket (multi-node sites).
 */
export function openRecordingStores(config: Pick<Config, 'recordingsDir' | 'recordingStore'>, log: Logger): RecordingStores {
  const local = new LocalRecordingStorage(config.recordingsDir);
  const s3 = config.recordingStore.kind === 's3' ? new S3RecordingStorage(config.recordingStore, log.child({ part: 'web' })) : null;
  if (config.recordingStore.kind === 's3') {
    const { bucket, endpoint, region, prefix } = config.recordingStore;
    log.info({ bucket, endpoint, region, prefix }, 'recordings are kept in an S3 bucket');
  }
  return { local, s3, all: s3 ? [local, s3] : [local], close: () => s3?.close() };
}
