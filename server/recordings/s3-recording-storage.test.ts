import { wavHeader } from '../acd/media/stereo-wav-recorder';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { startTestS3, type TestS3 } from '../test-support/s3-server';
import { LocalRecordingStorage } from './local-recording-storage';
import { RecordingCatalog } from './recording-catalog';
import { RecordingRetention } from './recording-retention';
import { RecordingService } from './recording-service';
import { S3RecordingStorage } from './s3-recording-storage';

/**
 * The S3 store against a real S3-protocol server (s3rver, signatures checked) on a loopback
 * port: the port's contract (stat, head, ranged reads, remove, missing objects), the catalog
 * moving a finished recording from the ACD's directory into the bucket, and retention
 * deleting from the bucket. No SDK call is faked.
 */
const logger = pino({ level: 'silent' });
const name = () => `leg-${randomBytes(8).toString('hex')}-leg-${randomBytes(8).toString('hex')}.wav`;

/** A finalised stereo 8 kHz 16-bit WAV of `dataBytes`, every data byte telling its offset. */
function wav(dataBytes: number): Buffer {
  const b = Buffer.concat([wavHeader(dataBytes), Buffer.alloc(dataBytes)]);
  for (let i = 44; i < b.length; i++) b[i] = (i * 7) & 0xff;
  return b;
}

let s3: TestS3;
let store: S3RecordingStorage;
let db: Database;
let dir: string;

beforeAll(async () => {
  s3 = await startTestS3();
  store = new S3RecordingStorage(s3.config, logger);
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'correct horse battery' });
  dir = mkdtempSync(path.join(tmpdir(), 'pb-s3-local-'));
}, 90_000);
afterAll(async () => {
  store?.close();
  await s3?.close();
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('S3RecordingStorage on a real S3-protocol server', { timeout: 30_000 }, () => {
  it('uploads, stats, reads the header and byte ranges, removes; a missing object is null / missing', async () => {
    const n = name();
    const audio = wav(16_000);
    expect(await store.stat(n)).toBeNull();
    expect(await store.head(n, 44)).toBeNull();
    await store.upload(n, Readable.from([audio]), audio.length);
    expect(await store.stat(n)).toEqual({ size: audio.length });
    expect((await store.head(n, 44))?.equals(audio.subarray(0, 44))).toBe(true);
    // a probe longer than the object answers the object
    expect((await store.head(n, 100_000))?.length).toBe(audio.length);
    expect((await buffer(store.read(n))).equals(audio)).toBe(true);
    for (const [start, end] of [[0, 99], [5000, 6999], [audio.length - 500, audio.length - 1]] as const) {
      expect((await buffer(store.read(n, { start, end }))).equals(audio.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
    }
    expect(await store.remove(n)).toBe('removed');
    expect(await store.stat(n)).toBeNull();
    expect(await store.remove(n)).toBe('missing');
    await expect(buffer(store.read(n))).rejects.toThrow();
  });

  it('refuses a name that is not the ACD’s (no key outside the recordings)', async () => {
    await expect(store.stat('../secret.wav')).rejects.toThrow();
  });

  it('the catalog moves a finished recording into the bucket: row storage s3, local copy gone, it plays and is removed from S3', async () => {
    const local = new LocalRecordingStorage(dir);
    const n = name();
    const audio = wav(32_000); // one second
    writeFileSync(path.join(dir, n), audio);
    const p = db.prisma;
    await p.call.create({ data: { id: 'call-s3', acdLegId: 'leg-x', dialed: DEMO.number, callerId: 'sip:c@x', queueId: DEMO.queue.id, arrivedAt: new Date() } });
    const catalog = new RecordingCatalog(p, local, logger, { pollMs: 20, archive: store });
    await catalog.recorded({ callId: 'call-s3', queueId: DEMO.queue.id, operatorId: DEMO.users[1].id, startedAt: new Date(), fileName: n });

    const row = await p.recording.findFirstOrThrow({ where: { callId: 'call-s3' } });
    expect(row).toMatchObject({ storage: 's3', fileName: n, durationMs: 1000, sizeBytes: BigInt(audio.length) });
    expect(existsSync(path.join(dir, n))).toBe(false);
    expect(await store.stat(n)).toEqual({ size: audio.length });

    // the portal's service plays it from the bucket (a local row would still play from disk)
    const service = new RecordingService(p, [local, store], logger);
    expect((await service.listForCall('call-s3'))[0]).toMatchObject({ available: true, sizeBytes: audio.length });
    const playable = await service.playable(row.id);
    expect(playable.size).toBe(audio.length);
    expect((await buffer(service.open(playable, { start: 44, end: 1043 }))).equals(audio.subarray(44, 1044))).toBe(true);

    // retention deletes the object, then the row
    await p.queue.update({ where: { id: DEMO.queue.id }, data: { recordingRetentionDays: 1 } });
    const report = await new RecordingRetention(p, [local, store], logger, 90).run(new Date(Date.now() + 2 * 86_400_000));
    expect(report.removed.map((r) => [r.id, r.fileWasMissing])).toEqual([[row.id, false]]);
    expect(await store.stat(n)).toBeNull();
    expect(await p.recording.count({ where: { callId: 'call-s3' } })).toBe(0);
  });

  it('an S3 row whose object is gone is listed as missing, and one in a store this node lacks too', async () => {
    const p = db.prisma;
    await p.call.create({ data: { id: 'call-gone', acdLegId: 'leg-y', dialed: DEMO.number, callerId: 'sip:c@x', queueId: DEMO.queue.id, arrivedAt: new Date() } });
    await p.recording.create({
      data: { id: 'rec-gone-s3', callId: 'call-gone', queueId: DEMO.queue.id, operatorId: DEMO.users[1].id, startedAt: new Date(), durationMs: 1, sizeBytes: 44n, fileName: name(), storage: 's3' },
    });
    expect((await new RecordingService(p, [new LocalRecordingStorage(dir), store], logger).listForCall('call-gone'))[0]?.available).toBe(false);
    expect((await new RecordingService(p, new LocalRecordingStorage(dir), logger).playable('rec-gone-s3')).size).toBeNull();
  });

  it('a failed upload keeps the file in the ACD directory and the row says local', async () => {
    const broken = new S3RecordingStorage({ ...s3.config, bucket: 'no-such-bucket' }, logger);
    const n = name();
    writeFileSync(path.join(dir, n), wav(8000));
    const p = db.prisma;
    await p.call.create({ data: { id: 'call-keep', acdLegId: 'leg-z', dialed: DEMO.number, callerId: 'sip:c@x', queueId: DEMO.queue.id, arrivedAt: new Date() } });
    await new RecordingCatalog(p, new LocalRecordingStorage(dir), logger, { pollMs: 20, archive: broken }).recorded({
      callId: 'call-keep',
      queueId: DEMO.queue.id,
      operatorId: DEMO.users[1].id,
      startedAt: new Date(),
      fileName: n,
    });
    broken.close();
    expect(await p.recording.findFirstOrThrow({ where: { callId: 'call-keep' } })).toMatchObject({ storage: 'local', fileName: n });
    expect(existsSync(path.join(dir, n))).toBe(true);
  });
});
