import { createReadStream } from 'node:fs';
import { open, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { RecordingName } from '../shared/sip-control';
import type { ByteRange, RecordingStorage } from './recording-storage';

/**
 * Recordings in a directory of this machine: the ACD's `RECORDINGS_DIR`, where its recorder
 * writes them. Only names the ACD gives (`leg-…-leg-….wav`) are accepted, so no request can
 * name a path outside the directory.
 */
export class LocalRecordingStorage implements RecordingStorage {
  readonly kind = 'local' as const;

  constructor(private readonly dir: string) {}

  async stat(name: string): Promise<{ size: number } | null> {
    try {
      const s = await stat(this.file(name));
      return s.isFile() ? { size: s.size } : null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  read(name: string, range?: ByteRange): Readable {
    return createReadStream(this.file(name), range ? { start: range.start, end: range.end } : {});
  }

  async head(name: string, bytes: number): Promise<Buffer | null> {
    let fh;
    try {
      fh = await open(this.file(name), 'r');
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    try {
      const buf = Buffer.alloc(bytes);
      const { bytesRead } = await fh.read(buf, 0, bytes, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async remove(name: string): Promise<'removed' | 'missing'> {
    try {
      await unlink(this.file(name));
      return 'removed';
    } catch (err) {
      if (isMissing(err)) return 'missing';
      throw err;
    }
  }

  private file(name: string): string {
    return path.join(this.dir, RecordingName.parse(name));
  }
}

function isMissing(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 'ENOENT';
}
