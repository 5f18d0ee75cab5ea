import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DatabaseTrunkDirectory } from '../../server/acd/trunks/trunk-directory';
import { encryptTrunkPassword } from '../../server/acd/trunks/trunk-secret';
import { openDatabase } from '../../server/db/database';
import { DEMO, seedDemo } from '../../server/db/seed';

const SECRET = 'dir-test-secret-'.padEnd(40, 'x');

describe('DatabaseTrunkDirectory (PGlite, migration 0002)', () => {
  it('loads trunks with their DIDs, decrypts passwords, skips invalid rows; no trunk is seeded', { timeout: 30_000 }, async () => {
    const db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
    try {
      await seedDemo(db.prisma, { password: 'demo-pass-1' });
      const dir = new DatabaseTrunkDirectory(db.prisma, SECRET, pino({ level: 'silent' }));
      await dir.load();
      expect(dir.all()).toEqual([]);

      await db.prisma.trunk.create({
        data: { id: 'tr1', name: 'carrier-a', host: 'sip.carrier.test', port: 5060, transport: 'tcp', username: 'acct', password: encryptTrunkPassword(SECRET, 's3cret'), inboundSources: ['192.0.2.0/24'], callerIdE164: '+15550199' },
      });
      await db.prisma.number.update({ where: { e164: DEMO.number }, data: { trunkId: 'tr1' } });
      // fixed caller-ID without a number: invalid, skipped
      await db.prisma.trunk.create({ data: { id: 'tr2', name: 'broken', host: 'x.test' } });
      await dir.load();
      expect(dir.all()).toHaveLength(1);
      expect(dir.all()[0]).toMatchObject({ name: 'carrier-a', password: 's3cret', dids: [DEMO.number], transport: 'tcp', enabled: true, register: false });

      const user = await db.prisma.user.findFirstOrThrow({ where: { role: 'OPERATOR' } });
      expect(user.mobileE164).toBeNull();
      expect(user.mobileVerifiedAt).toBeNull();
    } finally {
      await db.close();
    }
  });
});
