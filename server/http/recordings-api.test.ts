import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../db/seed';
import { PERSONA_USER, startApiFixture, type ApiFixture } from './test-support/api-fixture';

/**
 * The recordings API over a real server and a real file: range requests (first bytes, middle,
 * suffix, open end, 416), download, the listen audit, and who may do what — operators are
 * refused everything, supervisors list and play but cannot delete, admins delete (audited).
 */
const NAME = 'leg-00112233445566aa-leg-8899aabbccddeeff.wav';
const MISSING = 'leg-00112233445566bb-leg-8899aabbccddee00.wav';
const AUDIO = Buffer.alloc(44 + 16_000);

let fx: ApiFixture;
let admin: string;
let supervisor: string;
let operator: string;

beforeAll(async () => {
  fx = await startApiFixture();
  [admin, supervisor, operator] = await Promise.all([fx.cookieFor(PERSONA_USER.admin), fx.cookieFor(PERSONA_USER.supervisor), fx.cookieFor(PERSONA_USER.operator)]);
  // a WAV-shaped file whose every byte says where it is, so any slice can be checked
  AUDIO.write('RIFF', 0, 'ascii');
  for (let i = 4; i < AUDIO.length; i++) AUDIO[i] = (i * 7) & 0xff;
  writeFileSync(path.join(fx.recordingsDir, NAME), AUDIO);
  const p = fx.db.prisma;
  await p.call.create({ data: { id: 'call-rec', acdLegId: 'leg-00112233445566aa', dialed: DEMO.number, callerId: 'sip:carla@x', queueId: DEMO.queue.id, arrivedAt: new Date() } });
  const base = { callId: 'call-rec', queueId: DEMO.queue.id, operatorId: DEMO.users[1].id, startedAt: new Date(), durationMs: 1000 };
  await p.recording.create({ data: { ...base, id: 'rec-1', sizeBytes: BigInt(AUDIO.length), fileName: NAME } });
  await p.recording.create({ data: { ...base, id: 'rec-gone', sizeBytes: 44n, fileName: MISSING, startedAt: new Date(Date.now() + 1000) } });
}, 90_000);
afterAll(async () => fx.close());

function get(url: string, cookie: string, headers: Record<string, string> = {}) {
  return fetch(fx.base + url, { headers: { cookie, ...headers } });
}
const audio = '/api/admin/recordings/rec-1/audio';
const listens = () => fx.db.prisma.auditLog.count({ where: { entity: 'recording', entityId: 'rec-1', action: 'recording.listen' } });

describe('recordings API', { timeout: 30_000 }, () => {
  it("lists a call's recordings, a missing file marked as such", async () => {
    const res = await fx.send('GET', '/api/admin/recordings?callId=call-rec', { cookie: supervisor });
    expect(res.status).toBe(200);
    expect(res.json.data).toEqual([
      expect.objectContaining({ id: 'rec-1', available: true, sizeBytes: AUDIO.length, queueName: DEMO.queue.name, operatorName: DEMO.users[1].name, audioUrl: audio }),
      expect.objectContaining({ id: 'rec-gone', available: false }),
    ]);
    expect((await fx.send('GET', '/api/admin/recordings?callId=bad/id', { cookie: supervisor })).status).toBe(400);
    expect((await fx.send('GET', '/api/admin/recordings/rec-gone/audio', { cookie: supervisor })).json.error.message).toBe('Recording file missing');
  });

  it('plays the whole file and answers byte ranges: first bytes, middle, suffix, open end', async () => {
    const whole = await get(audio, supervisor);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await whole.arrayBuffer()).equals(AUDIO)).toBe(true);

    const cases: Array<[string, number, number]> = [
      ['bytes=0-99', 0, 99],
      ['bytes=5000-6999', 5000, 6999],
      ['bytes=-500', AUDIO.length - 500, AUDIO.length - 1],
      ['bytes=16000-', 16000, AUDIO.length - 1],
      ['bytes=100-999999', 100, AUDIO.length - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await get(audio, supervisor, { range });
      expect(res.status, range).toBe(206);
      expect(res.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${AUDIO.length}`);
      expect(res.headers.get('content-length'), range).toBe(String(end - start + 1));
      expect(Buffer.from(await res.arrayBuffer()).equals(AUDIO.subarray(start, end + 1)), range).toBe(true);
    }
  });

  it('refuses a range outside the file or a malformed one with 416, ignores another unit', async () => {
    for (const range of [`bytes=${AUDIO.length}-`, `bytes=${AUDIO.length + 10}-${AUDIO.length + 20}`, 'bytes=abc', 'bytes=-0']) {
      const res = await get(audio, supervisor, { range });
      expect(res.status, range).toBe(416);
      expect(res.headers.get('content-range'), range).toBe(`bytes */${AUDIO.length}`);
      await res.arrayBuffer();
    }
    // a unit we do not serve is ignored (RFC 9110 §14.2): the whole file
    const other = await get(audio, supervisor, { range: 'pages=1-2' });
    expect(other.status).toBe(200);
    expect((await other.arrayBuffer()).byteLength).toBe(AUDIO.length);
  });

  it('downloads as an attachment; each listen is audited once (when it starts), not on every seek', async () => {
    const before = await listens();
    await (await get(audio, admin)).arrayBuffer();
    await (await get(audio, admin, { range: 'bytes=0-' })).arrayBuffer();
    await (await get(audio, admin, { range: 'bytes=8000-' })).arrayBuffer(); // a seek
    expect((await listens()) - before).toBe(2);
    const rows = await fx.db.prisma.auditLog.findMany({ where: { entityId: 'rec-1', action: 'recording.listen' }, orderBy: { id: 'desc' }, take: 1 });
    expect(rows[0]).toMatchObject({ actorId: PERSONA_USER.admin, entity: 'recording', data: { callId: 'call-rec' } });

    const dl = await get(`${audio}?download=1`, supervisor);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-disposition')).toBe('attachment; filename="recording-call-rec.wav"');
    await dl.arrayBuffer();
    expect(await fx.db.prisma.auditLog.count({ where: { entityId: 'rec-1', action: 'recording.download', actorId: PERSONA_USER.supervisor } })).toBe(1);
    expect((await get(`${audio}?download=yes`, supervisor)).status).toBe(400);
  });

  it('operators may neither list nor play; supervisors cannot delete; an admin deletes (audited)', async () => {
    expect((await fx.send('GET', '/api/admin/recordings?callId=call-rec', { cookie: operator })).status).toBe(403);
    expect((await get(audio, operator)).status).toBe(403);
    expect((await get(audio, operator, { range: 'bytes=0-9' })).status).toBe(403);
    expect((await get(audio, '')).status).toBe(401);
    expect((await fx.send('DELETE', '/api/admin/recordings/rec-1', { cookie: operator })).status).toBe(403);
    expect((await fx.send('DELETE', '/api/admin/recordings/rec-1', { cookie: supervisor })).status).toBe(403);
    expect(existsSync(path.join(fx.recordingsDir, NAME))).toBe(true);

    const del = await fx.send('DELETE', '/api/admin/recordings/rec-1', { cookie: admin });
    expect(del.status).toBe(200);
    expect(existsSync(path.join(fx.recordingsDir, NAME))).toBe(false);
    expect(await fx.db.prisma.recording.findUnique({ where: { id: 'rec-1' } })).toBeNull();
    const audit = await fx.db.prisma.auditLog.findFirst({ where: { entityId: 'rec-1', action: 'recording.delete' } });
    expect(audit).toMatchObject({ actorId: PERSONA_USER.admin, entity: 'recording', before: expect.objectContaining({ fileName: NAME, callId: 'call-rec' }) });
    expect((await fx.send('DELETE', '/api/admin/recordings/rec-1', { cookie: admin })).status).toBe(404);
    // a row whose file is gone can still be deleted
    expect((await fx.send('DELETE', '/api/admin/recordings/rec-gone', { cookie: admin })).status).toBe(200);
  });
});
