import type { Readable } from 'node:stream';
import { AppError } from '../contracts/result';
import type { RecordingStorage, StorageKind } from './recording-storage';

/** A store a finished recording can be moved into (the catalog uploads, then removes the ACD's copy). */
export interface RecordingArchive extends RecordingStorage {
  upload(name: string, body: Readable, size: number): Promise<void>;
}

/**
 * The stores a site's recordings may be in, by kind: each row says where its file lives
 * (`recordings.storage`), so rows made before a site moved to S3 still play from disk.
 */
export class RecordingStores {
  private readonly byKind: Map<StorageKind, RecordingStorage>;

  constructor(stores: RecordingStorage | readonly RecordingStorage[]) {
    const list: readonly RecordingStorage[] = Array.isArray(stores) ? stores : [stores as RecordingStorage];
    this.byKind = new Map(list.map((s) => [s.kind, s]));
  }

  /** The store of a row's kind; null when this site has none of that kind configured (the file is out of reach). */
  of(kind: string): RecordingStorage | null {
    return this.byKind.get(kind as StorageKind) ?? null;
  }

  /** Like `of`, for deletes: a row whose store is not configured must keep its row (the object would be orphaned). */
  required(kind: string): RecordingStorage {
    const s = this.of(kind);
    // a clear refusal for the portal (not a 500); the retention job keeps the row and logs it
    if (!s) throw new AppError('UNAVAILABLE', `this recording is kept in the '${kind}' store, which this server is not set up for`);
    return s;
  }
}
