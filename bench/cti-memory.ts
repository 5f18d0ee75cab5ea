/**
 * The CTI's memory per concurrent call (issue 12: ≤ 50 KB): the real CtiService — roster, call
 * book, router, lifecycle, routing cache, journal write-behind — on an embedded database (PGlite),
 * with logging at info to /dev/null, and the scripted bank of the unit tests in place of the JsSIP
 * bank: the two JsSIP control dialogs each call holds in the bank are NOT in this figure. 2,000
 * operators sign in with a device and go Ready; calls are offered and answered until N are
 * connected at once; the heap after a full GC, minus the heap with the operators alone, over N.
 *
 *   node --expose-gc --import tsx bench/cti-memory.ts            (N = 500, 2000)
 *   BENCH_CALLS=500,1000,2000 node --expose-gc --import tsx bench/cti-memory.ts
 *
 * Prints figures; asserts nothing.
 */
import pino from 'pino';
import { openDatabase } from '../server/db/database';
import { DEMO, seedDemo } from '../server/db/seed';
import { CtiService, type CtiNotifier } from '../server/cti/cti-service';
import { PrismaCtiStore } from '../server/cti/prisma-cti-store';
import { ScriptedBank } from '../server/cti/test-support/scripted-bank';

const STEPS = (process.env.BENCH_CALLS ?? '500,2000').split(',').map(Number);
const OPERATORS = Math.max(...STEPS);
const out = (s = '') => process.stdout.write(`${s}\n`);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc --import tsx bench/cti-memory.ts');

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  out(`CTI memory per concurrent call — ${new Date().toISOString()}, node ${process.version}; ${OPERATORS} operators; steps ${STEPS.join(', ')} connected calls`);
  const db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'bench-password-not-secret' });
  const ops = Array.from({ length: OPERATORS }, (_, i) => ({ id: `op-${i + 1}`, email: `op-${i + 1}@bench.local`, name: `op ${i + 1}`, role: 'OPERATOR' as const, passwordHash: 'x' }));
  await db.prisma.user.createMany({ data: ops });
  await db.prisma.queueMember.createMany({ data: ops.map((u) => ({ queueId: DEMO.queue.id, userId: u.id, level: 1 })) });
  // a queue whose callers wait and whose operators stay on their calls for the whole measurement
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 0, maxWaitSec: 3600 } });

  const bank = new ScriptedBank();
  let pushes = 0;
  const notifier: CtiNotifier = { agentChanged: () => pushes++, callOffered: () => pushes++, callChanged: () => pushes++, userRemoved: () => pushes++ };
  const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
  const cti = new CtiService({ bank, store: new PrismaCtiStore(db.prisma), notifier, logger, secret: 's'.repeat(32), sipDomain: 'patchbay.local', deviceWsUrl: 'ws://127.0.0.1:5062', deviceCredTtlSec: 3600 });
  cti.start();
  for (const u of ops) {
    cti.operatorConnected({ id: u.id, email: u.email, name: u.name, role: 'OPERATOR' });
    cti.chooseDevice(u.id, 'browser');
    cti.setReady(u.id);
  }
  await new Promise((r) => setTimeout(r, 50));
  await cti.flush();
  const base = await heapAfterGc();
  out(`heap with ${OPERATORS} operators ready and no call: ${mb(base)}`);
  out('connected calls | heap after GC | above the idle heap | per call');

  let legs = 0;
  const live: string[] = [];
  for (const n of STEPS) {
    while (live.length < n) {
      const legId = `leg-${(++legs).toString(16).padStart(16, '0')}`;
      bank.offerLeg({ legId, callerUri: `sip:caller-${legs}@patchbay.local` });
      const dial = bank.dials.at(-1);
      if (!dial) throw new Error(`call ${legs} was not offered`);
      dial.answer(`leg-d${legs.toString(16).padStart(15, '0')}`);
      live.push(legId);
      if (live.length % 250 === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 20));
    await cti.flush();
    // the scripted bank keeps every dial it was asked for; the real bank forgets a dial once settled
    bank.dials.length = 0;
    const h = await heapAfterGc();
    const connected = cti.adminSnapshot().calls.filter((c) => c.status === 'connected').length;
    out(`${String(connected).padStart(15)} | ${mb(h).padStart(13)} | ${mb(h - base).padStart(19)} | ${kb((h - base) / connected)}`);
  }

  const endAll = async () => {
    for (const legId of live.splice(0)) bank.endLeg(legId, 'remote-bye');
    await new Promise((r) => setTimeout(r, 50));
    await cti.flush();
    bank.released.length = 0;
  };
  await endAll();
  const after = await heapAfterGc();
  out(`after every call ended: ${mb(after)} (${mb(after - base)} above the idle heap)`);
  // the same calls again: what stays after the first round is a cache (it stops growing) or a leak (it grows again)
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  for (let r = 2; r <= rounds; r++) {
    const n = OPERATORS;
    while (live.length < n) {
      const legId = `leg-${(++legs).toString(16).padStart(16, '0')}`;
      bank.offerLeg({ legId, callerUri: `sip:caller-${legs}@patchbay.local` });
      bank.dials.at(-1)!.answer(`leg-d${legs.toString(16).padStart(15, '0')}`);
      live.push(legId);
      if (live.length % 250 === 0) await new Promise((res) => setImmediate(res));
    }
    bank.dials.length = 0;
    await endAll();
    const h = await heapAfterGc();
    out(`round ${r} (${n} more calls, connected then ended): ${mb(h)} (${mb(h - base)} above the idle heap)`);
  }
  out(`socket pushes made: ${pushes}`);
  await cti.stop();
  await db.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
