import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseClipSource } from '../acd/database-clip-source';
import { ClipLibrary } from '../acd/media/clip-library';
import { openDatabase } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { connectPostgres, databaseUrl } from '../test-support/postgres';
import { pcmWav, sine } from '../test-support/tone';
import { createAdminServices } from './admin-services';

/**
 * The audio library on the machine's PostgreSQL: the WAV bytes survive BYTEA through the pg
 * driver adapter and load into the ACD's clip library; two admins uploading under one name at
 * the same moment: one clip is stored, the other gets the field message.
 */
describe('audio library on PostgreSQL', async () => {
  const dbName = `patchbay_audio_${process.pid}_${Date.now()}`;
  const root = await connectPostgres();
  afterAll(async () => {
    await root.query(`DROP DATABASE IF EXISTS "${dbName}"`);
    await root.end();
  });

  it('stores, serves and syncs a clip; a simultaneous second upload of the same name is refused', { timeout: 60_000 }, async () => {
    await root.query(`CREATE DATABASE "${dbName}"`);
    const db = await openDatabase({ databaseUrl: databaseUrl(dbName), dataDir: 'unused' });
    const logger = pino({ level: 'silent' });
    const admin = createAdminServices({ prisma: db.prisma, logger });
    try {
      await seedDemo(db.prisma, { password: 'correct horse battery' });
      const ada = { id: DEMO.users[0].id, name: DEMO.users[0].name };
      const file = { name: 'hold.wav', bytes: pcmWav([sine(500, 2, 16000, 0.3)], 16000) };
      const results = await Promise.allSettled([admin.audio.upload(ada, { name: 'hold', kind: 'music' }, file), admin.audio.upload(ada, { name: 'hold', kind: 'music' }, file)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected');
      expect(refused && 'reason' in refused ? refused.reason : null).toMatchObject({ code: 'CONFLICT', fields: { name: expect.any(String) } });
      expect(await db.prisma.audioClip.count()).toBe(1);
      expect(await db.prisma.auditLog.count({ where: { entity: 'audio' } })).toBe(1);

      const wav = await admin.audio.wav('hold');
      expect(wav.length).toBe(44 + 2 * 16000);
      const lib = new ClipLibrary(logger);
      expect(await lib.sync(new DatabaseClipSource(db.prisma))).toEqual({ loaded: ['hold'], removed: [] });
      expect(lib.get('hold')?.frameCount).toBe(100);
    } finally {
      await admin.publisher.stop();
      await db.close();
    }
  });
});
