/**
 * What /metrics costs the CTI (docs/metrics.md): the real CtiService — roster, call book, router,
 * lifecycle, journal write-behind on an embedded database (PGlite) — with the scripted bank of the
 * unit tests in place of JsSIP, twice side by side: one wired to CtiMetrics (prom-client), one
 * without. Rounds of calls (offered, answered, ended by the caller) alternate between the two;
 * the process CPU per call of each, median over the rounds, and the difference. Then the time to
 * render /metrics with N operators and N/2 connected calls, and the ACD's SIP tally per message.
 *
 *   node --expose-gc --import tsx bench/metrics-cost.ts        (BENCH_CALLS per round, BENCH_ROUNDS)
 *
 * Prints figures; asserts nothing.
 */
import pino from 'pino';
import { SipTally } from '../server/acd/sip-tally';
import { SipHeaders, type SipMessage } from '../server/acd/sip/message';
import { CtiService, type CtiNotifier } from '../server/cti/cti-service';
import { PrismaCtiStore } from '../server/cti/prisma-cti-store';
import { ScriptedBank } from '../server/cti/test-support/scripted-bank';
import { openDatabase } from '../server/db/database';
import { DEMO, seedDemo } from '../server/db/seed';
import { CtiMetrics } from '../server/metrics/cti-metrics';
import { PlatformMetrics } from '../server/metrics/platform-metrics';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const OPERATORS = Number(process.env.BENCH_OPERATORS ?? 500);
const out = (s = '') => process.stdout.write(`${s}\n`);
const tick = () => new Promise((r) => setImmediate(r));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  out(`/metrics cost — ${new Date().toISOString()}, node ${process.version}; ${OPERATORS} operators per service, rounds of ${CALLS} calls, ${ROUNDS} rounds each`);
  const db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'bench-password-not-secret' });
  const ops = Array.from({ length: 2 * OPERATORS }, (_, i) => ({ id: `op-${i + 1}`, email: `op-${i + 1}@bench.local`, name: `op ${i + 1}`, role: 'OPERATOR' as const, passwordHash: 'x' }));
  await db.prisma.user.createMany({ data: ops });
  await db.prisma.queueMember.createMany({ data: ops.map((u) => ({ queueId: DEMO.queue.id, userId: u.id, level: 1 })) });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 0, maxWaitSec: 3600 } });
  const notifier: CtiNotifier = { agentChanged: () => {}, callOffered: () => {}, callChanged: () => {}, userRemoved: () => {} };
  const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));

  const registry = new PlatformMetrics().registry;
  const metrics = new CtiMetrics(registry);
  const make = (withMetrics: boolean, first: number) => {
    const bank = new ScriptedBank();
    const cti = new CtiService({
      bank,
      store: new PrismaCtiStore(db.prisma),
      notifier,
      logger,
      secret: 's'.repeat(32),
      sipDomain: 'patchbay.local',
      deviceWsUrl: 'ws://127.0.0.1:5062',
      deviceCredTtlSec: 3600,
      ...(withMetrics ? { metrics: metrics.port, journal: { onBatch: metrics.onBatch } } : {}),
    });
    cti.start();
    for (const u of ops.slice(first, first + OPERATORS)) {
      cti.operatorConnected({ id: u.id, email: u.email, name: u.name, role: 'OPERATOR' });
      cti.chooseDevice(u.id, 'browser');
      cti.setReady(u.id);
    }
    return { cti, bank, withMetrics };
  };
  const withM = make(true, 0);
  const without = make(false, OPERATORS);
  metrics.watch(withM.cti, { figures: () => ({ registered: [true, true], controlLegs: 0, dials: 0, dialFailures: [] }), on: () => () => undefined });
  await tick();
  await withM.cti.flush();
  await without.cti.flush();

  let legs = 0;
  /** A round: calls offered, answered and ended (the caller hangs up), OPERATORS at a time. */
  const round = async (s: typeof withM): Promise<number> => {
    const t0 = process.cpuUsage();
    for (let done = 0; done < CALLS; done += OPERATORS) {
      const batch: string[] = [];
      for (let i = 0; i < Math.min(OPERATORS, CALLS - done); i++) {
        const legId = `leg-${(++legs).toString(16).padStart(16, '0')}`;
        s.bank.offerLeg({ legId, callerUri: `sip:caller-${legs}@patchbay.local` });
        s.bank.dials.at(-1)!.answer(`leg-d${legs.toString(16).padStart(15, '0')}`);
        batch.push(legId);
      }
      await tick();
      for (const legId of batch) s.bank.endLeg(legId, 'remote-bye');
      s.bank.dials.length = 0;
      s.bank.released.length = 0;
      await tick();
    }
    await s.cti.flush();
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / CALLS;
  };
  // warm-up (JIT, caches), not counted
  await round(withM);
  await round(without);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const [x, y] = r % 2 === 0 ? [withM, without] : [without, withM];
    (x.withMetrics ? a : b).push(await round(x));
    (y.withMetrics ? a : b).push(await round(y));
  }
  out('1. CPU per call through the CTI (offer → answer → caller hangs up → journal written), µs, per round');
  out(`   with metrics:    ${a.map((v) => v.toFixed(0)).join(', ')}  → median ${median(a).toFixed(0)} µs`);
  out(`   without metrics: ${b.map((v) => v.toFixed(0)).join(', ')}  → median ${median(b).toFixed(0)} µs`);
  out(`   difference: ${(median(a) - median(b)).toFixed(1)} µs per call (${(((median(a) - median(b)) / median(b)) * 100).toFixed(1)} %)`);

  // the hooks alone, with no CTI around them: their floor
  const n = 1_000_000;
  let t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const q = i % 5 === 0 ? 'Sales' : 'Support';
    metrics.port.arrived(q);
    metrics.port.offered(q, 3);
    metrics.port.answered(q, 4000);
    metrics.port.ended(q, 'completed');
  }
  out(`   the four CTI hooks of one call alone (arrived, offered + latency, answered + latency, ended): ${(Number(process.hrtime.bigint() - t) / n).toFixed(0)} ns`);

  // 2. a scrape with the live picture at its largest
  let live = 0;
  for (; live < OPERATORS / 2; live++) {
    const legId = `leg-live-${live}`;
    withM.bank.offerLeg({ legId, callerUri: `sip:live-${live}@patchbay.local` });
    withM.bank.dials.at(-1)!.answer(`leg-live-d${live}`);
  }
  for (let w = 0; w < 100; w++) withM.bank.offerLeg({ legId: `leg-wait-${w}` });
  await tick();
  const times: number[] = [];
  let size = 0;
  for (let i = 0; i < 50; i++) {
    const t1 = performance.now();
    size = (await registry.metrics()).length;
    times.push(performance.now() - t1);
  }
  out(`2. rendering /metrics with ${OPERATORS} operators, ${live} connected and 100 waiting calls (CTI + process collectors): median ${median(times).toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms, ${(size / 1024).toFixed(1)} KB`);

  // 3. the ACD's SIP tally per message
  const tally = new SipTally();
  const h = new SipHeaders().append('CSeq', '1 INVITE');
  const msgs: SipMessage[] = [
    { kind: 'request', method: 'INVITE', uri: 'sip:x', headers: h, body: '' },
    { kind: 'response', status: 200, reason: 'OK', headers: h, body: '' },
    { kind: 'response', status: 407, reason: 'Proxy Authentication Required', headers: h, body: '' },
    { kind: 'request', method: 'BYE', uri: 'sip:x', headers: h, body: '' },
  ];
  t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) tally.sent(msgs[i & 3]!);
  out(`3. the ACD's SIP tally: ${(Number(process.hrtime.bigint() - t) / n).toFixed(0)} ns per message`);
  await withM.cti.stop();
  await without.cti.stop();
  await db.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
