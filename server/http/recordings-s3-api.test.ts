import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../db/seed';
import { S3RecordingStorage } from '../recordings/s3-recording-storage';
import { startTestS3, type TestS3 } from '../test-support/s3-server';
import { PERSONA_USER, startApiFixture, type ApiFixture } from './test-support/api-fixture';

/**
 * The recordings API playing from an S3 bucket (a real S3-protocol server on loopback): the
 * browser's range requests become GetObject ranges, downloads stream from S3, an admin's delete
 * removes the object, and a row whose object is gone shows as missing (404 with the words the
 * page shows), never an error page.
 */
const NAME = `leg-${randomBytes(8).toString('hex')}-leg-${randomBytes(8).toString('hex')}.wav`;
const GONE = `leg-${randomBytes(8).toString('hex')}-leg-${randomBytes(8).toString('hex')}.wav`;
const AUDIO = Buffer.alloc(44 + 24_000);

let s3: TestS3;
let store: S3RecordingStorage;
let fx: ApiFixture;
let admin: string;
let supervisor: string;

beforeAll(async () => {
  s3 = await startTestS3();
  store = new S3RecordingStorage(s3.config, pino({ level: 'silent' }));
  fx = await startApiFixture({ moreRecordingStores: [store] });
  [admin, supervisor] = await Promise.all([fx.cookieFor(PERSONA_USER.admin), fx.cookieFor(PERSONA_USER.supervisor)]);
  AUDIO.write('RIFF', 0, 'ascii');
  for (let i = 4; i < AUDIO.length; i++) AUDIO[i] = (i * 13) & 0xff;
  await store.upload(NAME, Readable.from([AUDIO]), AUDIO.length);
  const p = fx.db.prisma;
  await p.call.create({ data: { id: 'call-s3', acdLegId: 'leg-00112233445566aa', dialed: DEMO.number, callerId: 'sip:carla@x', queueId: DEMO.queue.id, arrivedAt: new Date() } });
  const base = { callId: 'call-s3', queueId: DEMO.queue.id, operatorId: DEMO.users[1].id, durationMs: 750, storage: 's3' };
  await p.recording.create({ data: { ...base, id: 'rec-s3', startedAt: new Date(), sizeBytes: BigInt(AUDIO.length), fileName: NAME } });
  await p.recording.create({ data: { ...base, id: 'rec-s3-gone', startedAt: new Date(Date.now() + 1000), sizeBytes: 44n, fileName: GONE } });
}, 90_000);
afterAll(async () => {
  await fx?.close();
  store?.close();
  await s3?.close();
});

const audio = '/api/admin/recordings/rec-s3/audio';
const get = (url: string, cookie: string, headers: Record<string, string> = {}) => fetch(fx.base + url, { headers: { cookie, ...headers } });

describe('recordings API on an S3 store', { timeout: 30_000 }, () => {
  it('lists the recordings (the one whose object is gone as missing) and plays byte ranges from the bucket', async () => {
    const list = await fx.send('GET', '/api/admin/recordings?callId=call-s3', { cookie: supervisor });
    expect(list.json.data).toEqual([expect.objectContaining({ id: 'rec-s3', available: true, sizeBytes: AUDIO.length }), expect.objectContaining({ id: 'rec-s3-gone', available: false })]);

    const whole = await get(audio, supervisor);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer()).equals(AUDIO)).toBe(true);
    for (const [range, start, end] of [
      ['bytes=0-99', 0, 99],
      ['bytes=10000-12999', 10000, 12999],
      ['bytes=-500', AUDIO.length - 500, AUDIO.length - 1],
      ['bytes=20000-', 20000, AUDIO.length - 1],
    ] as Array<[string, number, number]>) {
      const res = await get(audio, supervisor, { range });
      expect(res.status, range).toBe(206);
      expect(res.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${AUDIO.length}`);
      expect(Buffer.from(await res.arrayBuffer()).equals(AUDIO.subarray(start, end + 1)), range).toBe(true);
    }
    expect((await get(audio, supervisor, { range: `bytes=${AUDIO.length}-` })).status).toBe(416);

    const gone = await fx.send('GET', '/api/admin/recordings/rec-s3-gone/audio', { cookie: supervisor });
    expect(gone.status).toBe(404);
    expect(gone.json.error.message).toBe('Recording file missing');
  });

  it('downloads from the bucket; an admin’s delete removes the object and the row', async () => {
    const dl = await get(`${audio}?download=1`, supervisor);
    expect(dl.headers.get('content-disposition')).toBe('attachment; filename="recording-call-s3.wav"');
    expect(Buffer.from(await dl.arrayBuffer()).equals(AUDIO)).toBe(true);

    expect((await fx.send('DELETE', '/api/admin/recordings/rec-s3', { cookie: supervisor })).status).toBe(403);
    expect((await fx.send('DELETE', '/api/admin/recordings/rec-s3', { cookie: admin })).status).toBe(200);
    expect(await store.stat(NAME)).toBeNull();
    const audit = await fx.db.prisma.auditLog.findFirst({ where: { entityId: 'rec-s3', action: 'recording.delete' } });
    expect(audit?.data).toEqual({ fileWasMissing: false });
  });
});
