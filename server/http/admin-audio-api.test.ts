import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigChange } from '../admin/change-publisher';
import { parseWav8kMono16 } from '../acd/media/wav';
import { MAX_UPLOAD_BYTES } from '../contracts/admin/audio';
import { DEMO } from '../db/seed';
import { loudest, pcmWav, rms, sine } from '../test-support/tone';
import { PERSONA_USER, startApiFixture, type ApiFixture } from './test-support/api-fixture';

/** The audio library through the API: uploads, synthesis, preview, rename, delete, in-use refusals. */
let fx: ApiFixture;
let admin: string;
let supervisor: string;
const changes: ConfigChange[] = [];
beforeAll(async () => {
  fx = await startApiFixture();
  admin = await fx.cookieFor(PERSONA_USER.admin);
  supervisor = await fx.cookieFor(PERSONA_USER.supervisor);
  fx.admin.publisher.subscribe((c) => changes.push(c));
}, 90_000);
afterAll(async () => fx.close());

async function upload(fields: Record<string, string>, file: { bytes: Buffer; name: string } | null, cookie = admin) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('file', new Blob([new Uint8Array(file.bytes)]), file.name);
  const res = await fetch(`${fx.base}/api/admin/audio`, { method: 'POST', headers: { cookie, origin: fx.base }, body: form });
  return { status: res.status, json: (await res.json()) as any };
}

const countRows = () => fx.db.prisma.audioClip.count();

describe('audio library API', { timeout: 60_000 }, () => {
  let welcome = { id: '', version: 1 };

  it('an uploaded 44.1 kHz stereo WAV is stored as 8 kHz mono, audited without its bytes, notified, and played back as WAV', async () => {
    const tone = sine(1000, 2, 44100, 0.4);
    const res = await upload({ name: 'Welcome', kind: 'prompt' }, { bytes: pcmWav([tone, tone], 44100), name: 'welcome.wav' });
    expect(res.status).toBe(201);
    expect(res.json.data).toMatchObject({ name: 'welcome', kind: 'prompt', source: 'upload', text: 'welcome.wav', usedBy: [], createdByName: DEMO.users[0].name, version: 1 });
    expect(Math.abs(res.json.data.durationMs - 2000)).toBeLessThan(30);
    welcome = { id: res.json.data.id, version: 1 };
    expect(changes.at(-1)).toMatchObject({ entity: 'audio', id: welcome.id, action: 'create' });
    const audit = await fx.db.prisma.auditLog.findFirstOrThrow({ where: { entity: 'audio', entityId: welcome.id } });
    expect(audit.action).toBe('audio.upload');
    expect(JSON.stringify(audit.after).length).toBeLessThan(400); // metadata only: no audio in the audit trail

    const wav = await fetch(`${fx.base}/api/admin/audio-files/welcome`, { headers: { cookie: supervisor } });
    expect(wav.status).toBe(200);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    const pcm = parseWav8kMono16(Buffer.from(await wav.arrayBuffer()));
    expect(loudest(pcm.subarray(4000, 12000), [440, 1000, 2000], 8000)).toBe(1000);
    expect(rms(pcm.subarray(4000, 12000))).toBeGreaterThan(0.25);

    const builtIn = await fetch(`${fx.base}/api/admin/audio-files/default`, { headers: { cookie: supervisor } });
    expect(parseWav8kMono16(Buffer.from(await builtIn.arrayBuffer())).length).toBe(64000);
    const options = await fx.send('GET', '/api/admin/audio-options', { cookie: supervisor });
    expect(options.json.data.map((o: { name: string }) => o.name)).toEqual(['default', 'welcome']);
  });

  it('bad uploads get a field message and leave nothing behind', async () => {
    const before = await countRows();
    const text = await upload({ name: 'letter', kind: 'prompt' }, { bytes: Buffer.from('Dear admin, this is a letter.'), name: 'letter.wav' });
    expect(text.status).toBe(400);
    expect(text.json.error.fields).toEqual({ file: 'this is not a WAV or MP3 file' });
    const cut = await upload({ name: 'cut', kind: 'prompt' }, { bytes: pcmWav([sine(440, 1, 16000)], 16000).subarray(0, 3000), name: 'cut.wav' });
    expect(cut.json.error.fields.file).toMatch(/cut short/);
    const mp3 = await upload({ name: 'junk', kind: 'music' }, { bytes: Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00', 'latin1'), Buffer.alloc(5000, 0x33)]), name: 'junk.mp3' });
    expect(mp3.json.error.fields.file).toMatch(/MP3/);
    const none = await upload({ name: 'empty', kind: 'prompt' }, null);
    expect(none.json.error.fields).toEqual({ file: 'choose a WAV or MP3 file' });
    const badName = await upload({ name: 'Hold Music!', kind: 'jazz' }, { bytes: pcmWav([sine(440, 1, 8000)], 8000), name: 'x.wav' });
    expect(Object.keys(badName.json.error.fields).sort()).toEqual(['kind', 'name']);
    const dup = await upload({ name: 'welcome', kind: 'prompt' }, { bytes: pcmWav([sine(440, 1, 8000)], 8000), name: 'x.wav' });
    expect(dup.status).toBe(409);
    expect(dup.json.error.fields.name).toBe('another clip has this name');
    const reserved = await upload({ name: 'default', kind: 'music' }, { bytes: pcmWav([sine(440, 1, 8000)], 8000), name: 'x.wav' });
    expect(reserved.json.error.fields.name).toMatch(/built-in/);
    expect(await countRows()).toBe(before);
  });

  it('an oversized upload is refused while it is read (declared and streamed)', async () => {
    const before = await countRows();
    const big = await upload({ name: 'big', kind: 'music' }, { bytes: Buffer.alloc(MAX_UPLOAD_BYTES + 100_000, 1), name: 'big.wav' });
    expect(big.status).toBe(400);
    expect(big.json.error.fields).toEqual({ file: 'the file is larger than 10 MB' });
    // a body without a declared length (chunked) is cut off by the streaming cap
    const boundary = 'pbboundary';
    const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="name"\r\n\r\nbig\r\n--${boundary}\r\ncontent-disposition: form-data; name="kind"\r\n\r\nmusic\r\n--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.wav"\r\ncontent-type: audio/wav\r\n\r\n`);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(head));
        for (let i = 0; i < 12; i++) c.enqueue(new Uint8Array(1024 * 1024));
        c.close();
      },
    });
    const res = await fetch(`${fx.base}/api/admin/audio`, { method: 'POST', headers: { cookie: admin, origin: fx.base, 'content-type': `multipart/form-data; boundary=${boundary}` }, body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.fields.file).toBe('the file is larger than 10 MB');
    expect(await countRows()).toBe(before);
  });

  it('a typed sentence is synthesised to speech on the server', async () => {
    const res = await fx.send('POST', '/api/admin/audio-speech', { cookie: admin, body: { name: 'closed-msg', kind: 'prompt', text: 'We are closed. Please call again tomorrow.', voice: 'en-gb', speed: 160 } });
    expect(res.status).toBe(201);
    expect(res.json.data).toMatchObject({ name: 'closed-msg', source: 'tts', text: 'We are closed. Please call again tomorrow.', voice: 'en-gb 160 wpm' });
    expect(res.json.data.durationMs).toBeGreaterThan(1500);
    const wav = await fetch(`${fx.base}/api/admin/audio-files/closed-msg`, { headers: { cookie: admin } });
    expect(rms(parseWav8kMono16(Buffer.from(await wav.arrayBuffer())))).toBeGreaterThan(0.02);
    const bad = await fx.send('POST', '/api/admin/audio-speech', { cookie: admin, body: { name: 'x', kind: 'prompt', text: '  ', voice: 'klingon', speed: 10 } });
    expect(Object.keys(bad.json.error.fields).sort()).toEqual(['speed', 'text', 'voice']);
  });

  it('a clip in use by a queue or a number cannot be deleted or renamed; unused, it can', async () => {
    const num = await fx.db.prisma.number.findUniqueOrThrow({ where: { e164: DEMO.number } });
    const set = await fx.send('PATCH', `/api/admin/numbers/${encodeURIComponent(DEMO.number)}`, { cookie: admin, body: { queueId: num.queueId, trunkId: num.trunkId, holdAudio: 'welcome', version: num.version } });
    expect(set.status).toBe(200);
    const listed = await fx.send('GET', '/api/admin/audio', { cookie: supervisor });
    expect(listed.json.data.find((r: { name: string }) => r.name === 'welcome').usedBy).toEqual([`number ${DEMO.number} (hold audio)`]);
    const del = await fx.send('DELETE', `/api/admin/audio/${welcome.id}?version=1`, { cookie: admin });
    expect(del.status).toBe(409);
    expect(del.json.error.message).toBe(`this clip is in use (number ${DEMO.number} (hold audio)); choose another clip there first`);
    const rename = await fx.send('PATCH', `/api/admin/audio/${welcome.id}`, { cookie: admin, body: { name: 'hello', kind: 'prompt', version: 1 } });
    expect(rename.status).toBe(409);
    expect(rename.json.error.fields.name).toMatch(/in use by number/);
    // the kind may change while in use (the name is what others refer to)
    const kind = await fx.send('PATCH', `/api/admin/audio/${welcome.id}`, { cookie: admin, body: { name: 'welcome', kind: 'music', version: 1 } });
    expect(kind.json.data).toMatchObject({ kind: 'music', version: 2 });
    const stale = await fx.send('PATCH', `/api/admin/audio/${welcome.id}`, { cookie: admin, body: { name: 'welcome', kind: 'prompt', version: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.json.error.message).toMatch(/changed by Ada Admin/);

    const after = await fx.db.prisma.number.findUniqueOrThrow({ where: { e164: DEMO.number } });
    await fx.send('PATCH', `/api/admin/numbers/${encodeURIComponent(DEMO.number)}`, { cookie: admin, body: { queueId: num.queueId, trunkId: num.trunkId, holdAudio: 'default', version: after.version } });
    const renamed = await fx.send('PATCH', `/api/admin/audio/${welcome.id}`, { cookie: admin, body: { name: 'hello', kind: 'music', version: 2 } });
    expect(renamed.json.data).toMatchObject({ name: 'hello', version: 3 });
    expect((await fx.send('DELETE', `/api/admin/audio/${welcome.id}?version=3`, { cookie: admin })).status).toBe(200);
    expect((await fetch(`${fx.base}/api/admin/audio-files/hello`, { headers: { cookie: admin } })).status).toBe(404);
    const actions = (await fx.db.prisma.auditLog.findMany({ where: { entity: 'audio', entityId: welcome.id }, orderBy: { id: 'asc' } })).map((a) => a.action);
    expect(actions).toEqual(['audio.upload', 'audio.update', 'audio.update', 'audio.delete']);
  });
});
