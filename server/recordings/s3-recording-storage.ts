import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { PassThrough, Readable } from 'node:stream';
import type { RecordingStoreConfig } from '../config';
import type { Logger } from '../log';
import { RecordingName } from '../shared/sip-control';
import type { ByteRange, RecordingStorage } from './recording-storage';

type S3Config = Extract<RecordingStoreConfig, { kind: 's3' }>;

/**
 * Recordings in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW), for a site with several
 * nodes: every node's portal plays every node's recordings (docs/recordings.md, "Storage").
 * The ACD still writes into its own directory; the catalog uploads a finished file here and
 * removes the local copy. Keys are `<prefix><file name>`; only the ACD's names are accepted.
 * `@aws-sdk/client-s3` (AWS's own client) signs the requests and speaks every S3 dialect we need.
 */
export class S3RecordingStorage implements RecordingStorage {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(
    private readonly cfg: S3Config,
    logger?: Logger,
  ) {
    const log = logger?.child({ module: 's3-recordings' });
    this.client = new S3Client({
      // the SDK's own messages go to our log, not to the console
      ...(log ? { logger: { debug: () => {}, info: () => {}, warn: (...a: unknown[]) => log.warn({ sdk: a.map(String).join(' ') }, 'S3 client'), error: (...a: unknown[]) => log.error({ sdk: a.map(String).join(' ') }, 'S3 client') } } : {}),
      region: cfg.region,
      forcePathStyle: cfg.forcePathStyle,
      ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
      ...(cfg.credentials ? { credentials: cfg.credentials } : {}),
      // a finished WAV is uploaded whole with its length; no trailing checksum a plain S3 server may not know
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async stat(name: string): Promise<{ size: number } | null> {
    try {
      const h = await this.client.send(new HeadObjectCommand({ Bucket: this.cfg.bucket, Key: this.key(name) }));
      return { size: h.ContentLength ?? 0 };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  read(name: string, range?: ByteRange): Readable {
    const out = new PassThrough();
    const key = this.key(name);
    this.client
      .send(new GetObjectCommand({ Bucket: this.cfg.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }))
      .then((res) => {
        const body = res.Body;
        if (!(body instanceof Readable)) throw new Error('S3 answered without a body stream');
        body.on('error', (err) => out.destroy(err));
        // the reader went away (the browser seeked): stop downloading too
        out.on('close', () => body.destroy());
        body.pipe(out);
      })
      .catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
    return out;
  }

  async head(name: string, bytes: number): Promise<Buffer | null> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.cfg.bucket, Key: this.key(name), Range: `bytes=0-${bytes - 1}` }));
      const data = await res.Body?.transformToByteArray();
      return Buffer.from(data ?? new Uint8Array()).subarray(0, bytes);
    } catch (err) {
      if (isMissing(err)) return null;
      // an empty object has no byte 0: its header is empty, not missing
      if (err instanceof S3ServiceException && err.name === 'InvalidRange') return Buffer.alloc(0);
      throw err;
    }
  }

  /** S3's DELETE succeeds for a key that is not there, so a HEAD first tells `missing` apart. */
  async remove(name: string): Promise<'removed' | 'missing'> {
    if ((await this.stat(name)) === null) return 'missing';
    await this.client.send(new DeleteObjectCommand({ Bucket: this.cfg.bucket, Key: this.key(name) }));
    return 'removed';
  }

  /** Uploads a finished recording (its length known, so one PUT with Content-Length). */
  async upload(name: string, body: Readable, size: number): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.cfg.bucket, Key: this.key(name), Body: body, ContentLength: size, ContentType: 'audio/wav' }),
    );
  }

  close(): void {
    this.client.destroy();
  }

  private key(name: string): string {
    return `${this.cfg.prefix}${RecordingName.parse(name)}`;
  }
}

function isMissing(err: unknown): boolean {
  if (!(err instanceof S3ServiceException)) return false;
  return err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404;
}
