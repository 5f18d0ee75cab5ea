import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
// s3rver is a real S3-protocol server (signature V4 checked, ranges, HEAD, DELETE) on a directory
import S3rver from '@20minutes/s3rver';
import type { RecordingStoreConfig } from '../config';

/** A real S3-protocol server on an ephemeral loopback port, with one bucket; its files in a temp dir. */
export interface TestS3 {
  config: Extract<RecordingStoreConfig, { kind: 's3' }>;
  close(): Promise<void>;
}

export async function startTestS3(bucket = 'pb-recordings', prefix = 'site-a/'): Promise<TestS3> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pb-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket, configs: [] }] });
  const addr = (await server.run()) as AddressInfo;
  return {
    config: {
      kind: 's3',
      endpoint: `http://127.0.0.1:${addr.port}`,
      bucket,
      region: 'us-east-1',
      prefix,
      forcePathStyle: true,
      // s3rver's one account
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
