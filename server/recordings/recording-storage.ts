import type { Readable } from 'node:stream';

/**
 * Where recording files live, behind one port (docs/recordings.md, "Storage"). The embedded
 * default is the ACD's recordings directory (`local-recording-storage.ts`); an S3-compatible
 * object store is the documented option for a site with several ACD nodes. Files are named by
 * the ACD's leg ids only (`RecordingName` in server/shared/sip-control.ts), never by a path.
 *
 * Contract:
 * - `stat()` answers null for a file that is not there (never throws for that).
 * - `read()` streams bytes `start`…`end` inclusive (the whole file without a range).
 * - `remove()` of a missing file answers `missing`, not an error.
 */
export type StorageKind = 'local' | 's3';

export interface ByteRange {
  start: number;
  /** inclusive */
  end: number;
}

export interface RecordingStorage {
  readonly kind: StorageKind;
  stat(name: string): Promise<{ size: number } | null>;
  read(name: string, range?: ByteRange): Readable;
  /** The file's first `bytes` bytes (its header), or null when it is missing. */
  head(name: string, bytes: number): Promise<Buffer | null>;
  remove(name: string): Promise<'removed' | 'missing'>;
}
