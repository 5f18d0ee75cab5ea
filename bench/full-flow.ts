/**
 * The whole platform under SIPp load, as users run it (issue 12): server/main.ts in a child
 * process on a scratch PostgreSQL database at LOG_LEVEL=info; operators signed in over HTTP,
 * connected over socket.io, granted a browser device whose SIP credentials register one UDP
 * phone each (bench/phones-child.ts), Ready; SIPp callers at stepped rates, each call bridged,
 * talking 1 s and hanging up first (the CTI then releases the device), wrap-up 0. The same
 * steps then run through the ACD-only controller (bench/acd-child.ts + acd-controller.ts) for
 * the ratio; a fan-out step times state changes to 2,000 consoles and the supervisors.
 *
 *   npm run bench:full [-- --quick]          (npx tsx bench/full-flow.ts)
 *   BENCH_STEPS=20,40 BENCH_STEP_S=30 BENCH_OPERATORS=250 BENCH_FANOUT=2000 npx tsx bench/full-flow.ts
 *
 * Needs `next build` (npm start runs it), SIPp, and PostgreSQL on 127.0.0.1:5432 (trust).
 * Prints figures; asserts nothing. Everything runs on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO } from '../server/db/seed';
import { runBench } from './bench-main';
import { BenchController } from './acd-controller';
import { AcdProcess, registerDevice } from './acd-process';
import { summariseProfile } from './cpu-profile';
import { fanoutStep } from './fanout-step';
import { f0, f1, f2, mb } from './figures';
import { acdOnlyStep, fullFlowStep, TALK_MS, type FullContext, type StepResult } from './full-flow-step';
import { startPlatformWithOperators } from './platform-with-operators';
import { layoutFromEnv } from './platform-process';
import { loadAverage, procSample } from './proc-stats';
import { SippRunner } from './sipp-run';

const QUICK = process.argv.includes('--quick');
const num = (name: string, full: number, quick: number) => Number(process.env[name] ?? (QUICK ? quick : full));
const list = (name: string, full: number[], quick: number[]) => (process.env[name] ? process.env[name]!.split(',').map(Number) : QUICK ? quick : full);
const STEPS = list('BENCH_STEPS', [20, 40, 60, 100], [10, 20]);
/** ACD-only steps past the full flow's, to find where the ACD alone stops (the ratio's denominator). */
const ACD_EXTRA = list('BENCH_ACD_EXTRA', [200, 400], []);
const STEP_S = num('BENCH_STEP_S', 30, 10);
const WARMUP_S = num('BENCH_WARMUP_S', 10, 5);
const OPERATORS = num('BENCH_OPERATORS', 250, 60);
const FANOUT = num('BENCH_FANOUT', 2000, 400);
const SUPERVISORS = num('BENCH_SUPERVISORS', 10, 4);
const DOMAIN = 'patchbay.local';
const LAYOUT = layoutFromEnv();

const out = (s = '') => process.stdout.write(`${s}\n`);
const work = mkdtempSync(path.join(os.tmpdir(), 'pb-bench-full-'));
const sipp = new SippRunner(work);
const cleanups: Array<() => Promise<void>> = [];

/** CPU % of one core a process uses over 5 s with no call. */
async function idleCpuPct(pid: number): Promise<number> {
  const a = procSample(pid);
  await new Promise((r) => setTimeout(r, 5000));
  const b = procSample(pid);
  return a && b ? ((b.cpuS - a.cpuS) / 5) * 100 : NaN;
}

const sustained = (s: StepResult) => s.failed === 0 && s.refused === 0 && !s.trend.grows && s.leftOpen === 0 && (!s.timeline || (s.timeline.inOrder === s.calls && s.timeline.answered === s.calls));

function printStep(s: StepResult, full: boolean): void {
  const bad = `${s.refused > 0 ? ` ${s.refused} refused (told: 503 or busy message)` : ''}${s.failed > 0 ? ` ${s.failed} FAILED` : ''}`;
  out(
    `   ${String(s.rate).padStart(4)} | ${`${s.ok}/${s.refused}/${s.failed}`.padStart(15)} ${f1(s.bridgedPerS).padStart(6)} | ${f0(s.wait.p50).padStart(6)} ${f0(s.wait.p99).padStart(6)} ${f0(s.wait.max).padStart(6)} | ${f0(s.trend.firstP50).padStart(6)} → ${f0(s.trend.lastP50).padEnd(6)} ${(s.trend.grows ? 'GROWS' : 'flat').padEnd(5)} | ${f1(s.toDevice.p50).padStart(6)} ${f1(s.toDevice.p99).padStart(7)} | ${f2(s.cpuMsPerCall).padStart(7)}${full ? ` ${f2(s.dbMsPerCall ?? NaN).padStart(6)} ${f1(s.rows?.perCall ?? NaN).padStart(5)} ${f1((s.log?.lines ?? NaN) / Math.max(1, s.ok)).padStart(5)}` : ''} | ${s.load}${bad}`,
  );
  out(`          CPU % of one core: ${s.procs.map((p) => `${p.name} ${f0(p.cpuPct)}${p.rss !== null ? ` (RSS ${mb(p.rss)})` : ''}${p.waitPct !== undefined ? ` [its JS thread waited for a CPU ${f0(p.waitPct)}% of the step]` : ''}`).join(', ')}`);
  if (s.timeline && s.rows)
    out(
      `          database: +${s.rows.calls} calls, +${s.rows.callEvents} call_events, +${s.rows.agentStates} agent_state_log rows; timelines: ${s.timeline.answered}/${s.timeline.calls} answered, ${s.timeline.inOrder} caller-hangup → device-release in order, outcomes ${JSON.stringify(s.timeline.outcomes)}; log ${f1((s.log?.bytes ?? 0) / Math.max(1, s.ok) / 1024)} KB/call, ${s.log?.warnings ?? 0} warn/error lines`,
    );
  if (s.timeline)
    out(
      `          stored times: CTI arrival → offered p50 ${f0(s.timeline.arrivedToOffered.p50)} p99 ${f0(s.timeline.arrivedToOffered.p99)} ms (routing: the queue from the CTI's cache), offered → answered p50 ${f0(s.timeline.offeredToAnswered.p50)} p99 ${f0(s.timeline.offeredToAnswered.p99)} ms (bank dial → ACD → phone → bridge); phones: ${s.phones?.invites ?? 0} INVITEs answered, ${s.phones?.byes ?? 0} released by a BYE${s.leftOpen ? `; ${s.leftOpen} calls/dialogs still open 40 s after the step` : ''}`,
    );
  else if (s.leftOpen) out(`          ${s.leftOpen} ACD legs still open 20 s after the step`);
}

const STEP_HEAD_FULL = '   rate | ok/refused/failed bridged/s | arrival → bridged ms  | wait p50, first → last third | INVITE in → device INVITE out ms | platform CPU ms/call  PG ms/call  rows/call  log lines/call | load average (1, 5, 15 min)';
const STEP_HEAD_ACD = '   rate | ok/refused/failed bridged/s | arrival → bridged ms  | wait p50, first → last third | INVITE in → device INVITE out ms | ACD CPU ms/call | load average';

async function main(): Promise<void> {
  const started = Date.now();
  out(`Full-flow benchmark ${QUICK ? '(--quick) ' : ''}— ${new Date().toISOString()}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}, load average ${loadAverage()}`);
  out(
    LAYOUT === 'split'
      ? 'platform: three child processes, server/main.ts --role acd, --role cti, --role web (BENCH_LAYOUT=split, as docs/deploy.md runs them apart), PostgreSQL 127.0.0.1:5432 (scratch database), LOG_LEVEL=info to a file'
      : 'platform: server/main.ts in a child process (ACD + CTI + Next.js in one Node process, as npm start; BENCH_LAYOUT=split runs the three apart), PostgreSQL 127.0.0.1:5432 (scratch database), LOG_LEVEL=info to a file',
  );
  out(`calls: SIPp caller → ACD (parked) → CTI offers → device dialled by the bank → bridged → talk ${TALK_MS} ms → caller BYE → CTI releases the device; queue wrap-up 0`);
  out(`steps: ${STEPS.join(', ')} calls/s × ${STEP_S} s; ${OPERATORS} operators; fan-out ${FANOUT} consoles + ${SUPERVISORS} supervisors`);
  out('figures under a loaded machine are pessimistic: the load average is printed at each step');
  out();

  // ── set-up: database, platform, operators, phones ──
  const boot = await startPlatformWithOperators({
    work,
    operators: OPERATORS,
    fanout: FANOUT,
    supervisors: SUPERVISORS,
    cleanups,
    onPlatform: (p, d) => out(`set-up: database ${d.name}, platform ${p.pids.map((x) => `${x.name} pid ${x.pid}`).join(', ')} up on ${p.base} (SIP UDP ${p.sipUdpPort}) after ${((Date.now() - started) / 1000).toFixed(1)} s`),
  });
  const { db, platform, phones, consoles } = boot;
  const seeded = { fanoutCookies: boot.fanoutCookies, supervisorCookies: boot.supervisorCookies };
  const signS = boot.signS;
  const reg = { ok: boot.phonesRegistered };
  out(`        ${OPERATORS} operators signed in over HTTP in ${signS.toFixed(1)} s (${((signS * 1000) / OPERATORS).toFixed(0)} ms each, 8 at a time: argon2 verify), connected, granted, ${reg.ok} UDP phones registered, all Ready (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  const idle = await Promise.all(platform.pids.map(async (x) => `${x.name} ${f1(await idleCpuPct(x.pid))}`));
  out(`        platform idle with them, % of a core: ${idle.join(', ')} (in every step's CPU; per call it weighs most at low rates)`);
  out();

  // ── 1. the full flow ──
  out(`1. full flow, calls per second (${STEP_S} s per step; "flat" = the wait of the last third of the step's calls is not above twice the first third's)`);
  out(STEP_HEAD_FULL);
  const ctx: FullContext = { sipp, platform, db, phones, number: DEMO.number, logOffset: platform.logBytes() };
  const full: StepResult[] = [];
  const profiles = new Map<number, string>();
  // JIT, pools and caches warm up first, or the first step measures start-up
  const warm = await fullFlowStep(ctx, STEPS[0]!, WARMUP_S, null);
  out(`   warm-up: ${warm.ok}/${warm.failed} calls at ${STEPS[0]} calls/s for ${WARMUP_S} s, wait p50 ${f0(warm.wait.p50)} ms (not counted)`);
  for (const rate of STEPS) {
    const prof = path.join(work, `platform-${rate}.cpuprofile`);
    const s = await fullFlowStep(ctx, rate, STEP_S, prof);
    profiles.set(rate, prof);
    full.push(s);
    printStep(s, true);
    if (s.failed > s.calls * 0.2) {
      out(`   stopped: ${s.failed} of ${s.calls} calls failed at ${rate} calls/s; higher steps skipped`);
      break;
    }
  }
  const bestFull = full.filter(sustained).at(-1);
  out(`   highest sustained step (no failure, flat wait, every timeline in order): ${bestFull ? `${bestFull.rate} calls/s` : 'none'}`);
  out();

  // ── profile of the platform at the highest sustained step ──
  const profStep = bestFull ?? full[0]!;
  out(`2. where the ${LAYOUT === 'split' ? 'CTI process' : 'platform'} spends its time at ${profStep.rate} calls/s (${bestFull ? 'highest sustained step' : 'no step sustained: the lowest'}; inspector CPU profile of that step, top 15 self time)`);
  const summary = summariseProfile(profiles.get(profStep.rate)!, { top: 15, byOwner: true });
  for (const l of summary.lines) out(`   ${l}`);
  const shares = (g: Array<[string, number]>) => g.filter(([, p]) => p >= 0.5).map(([o, p]) => `${o} ${p.toFixed(1)}%`).join(', ');
  out(`   self time by owner: ${shares(summary.groups)}`);
  out(`   the same, native code and Node internals charged to their JS caller: ${shares(summary.charged)}`);
  out();

  // ── 3. fan-out ──
  out(`3. fan-out: ${FANOUT} operator consoles and ${SUPERVISORS} supervisors on socket.io (two child processes); delivery = receipt − the CTI's state-change time`);
  await fanoutStep(platform, seeded.fanoutCookies, seeded.supervisorCookies, out);
  out();

  consoles.forEach((s) => s.close());
  await phones.stop({ op: 'stop' }, 5000);
  await platform.stop();

  // ── 4. the same steps through the ACD-only controller ──
  out(`4. the same steps through the ACD alone (bench/acd-child.ts, controller bench/acd-controller.ts in the bench process, one SIPp device), then ${ACD_EXTRA.length ? ACD_EXTRA.join(', ') : 'no'} calls/s more`);
  const secret = randomBytes(24).toString('hex');
  const acd = await AcdProcess.start({ secret, number: DEMO.number });
  cleanups.push(() => acd.stop());
  const dev = await registerDevice(sipp, acd, secret);
  out(`   ACD idle: ${f1(await idleCpuPct(acd.child.pid ?? 0))} % of a core`);
  out(STEP_HEAD_ACD);
  const ctl = await BenchController.start(`ws://127.0.0.1:${acd.ws}`, secret, DOMAIN, dev.user);
  cleanups.push(() => ctl.close());
  const acdSteps: StepResult[] = [];
  const acdWarm = await acdOnlyStep({ sipp, acd, ctl, device: dev, number: DEMO.number }, STEPS[0]!, WARMUP_S);
  out(`   warm-up: ${acdWarm.ok}/${acdWarm.failed} calls at ${STEPS[0]} calls/s for ${WARMUP_S} s (not counted)`);
  for (const rate of [...STEPS, ...ACD_EXTRA]) {
    const s = await acdOnlyStep({ sipp, acd, ctl, device: dev, number: DEMO.number }, rate, STEP_S);
    acdSteps.push(s);
    printStep(s, false);
    if (!sustained(s) && rate > Math.max(...STEPS)) break;
  }
  await ctl.close();
  await acd.stop();
  const bestAcd = acdSteps.filter(sustained).at(-1);
  out(`   highest sustained step: ${bestAcd ? `${bestAcd.rate} calls/s` : 'none'}${bestAcd && bestAcd === acdSteps.at(-1) ? ' (not pushed further)' : ''}`);
  out();

  out('5. full flow / ACD only');
  out('   rate | wait p50 full / ACD ms | CPU ms per call full / ACD (ratio) | calls/s one core could carry at that cost, full / ACD');
  for (const f of full) {
    const a = acdSteps.find((x) => x.rate === f.rate);
    if (a) out(`   ${String(f.rate).padStart(4)} | ${f0(f.wait.p50).padStart(8)} / ${f0(a.wait.p50).padEnd(8)} | ${f2(f.cpuMsPerCall)} / ${f2(a.cpuMsPerCall)} (${f1(f.cpuMsPerCall / a.cpuMsPerCall)}×) | ${f0(1000 / f.cpuMsPerCall)} / ${f0(1000 / a.cpuMsPerCall)}`);
  }
  const ratio = bestAcd ? (bestFull?.rate ?? 0) / bestAcd.rate : NaN;
  out(`   highest sustained: full flow ${bestFull?.rate ?? 0} calls/s, ACD only ${bestAcd?.rate ?? 0} calls/s → ratio ${f2(ratio)}${bestFull && bestAcd && bestAcd === acdSteps.at(-1) ? ' (an upper bound: the ACD alone was not pushed to its limit)' : ''}`);
  out();
  out(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

runBench(main, { sipp, cleanups, work });
