/**
 * SIPp-driven benchmark of the ACD (issue 3, item 8). The ACD runs as a child process
 * (bench/acd-child.ts: real Acd, real WeriftMediaEngine, UDP + WS on loopback ephemeral
 * ports); this process runs the controller (bench/acd-controller.ts, on the raw SIP test
 * client over WS) and the SIPp callers and device. Every figure is printed next to the same
 * load sent straight from a SIPp UAC to a SIPp UAS in the same run (the machine's ceiling).
 *
 *   npx tsx bench/acd-sipp.ts [--quick] [--cps-only]     (npm run bench:acd)
 *
 * 1. calls/s sustained with zero failures (steps of `5 × rate` short calls);
 * 2. setup latency, caller INVITE in → device INVITE out, inside the ACD (a bench-only hook
 *    timestamps the UDP datagrams in the child), p50/p99 at 100 calls/s;
 * 3. concurrent bridged calls with G.711 flowing (SIPp plays g711a.pcap on the caller side,
 *    the SIPp device echoes with -rtp_echo): packet counts on the ACD side, ACD CPU% and RSS;
 * 4. a CPU profile of the ACD during the calls/s steps (--cpu-prof), top 10 self time.
 *
 * Prints figures; asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BenchController } from './acd-controller';
import { AcdProcess, deviceUas as deviceUasOn, registerDevice as registerDeviceOn } from './acd-process';
import { summariseProfile } from './cpu-profile';
import { freePort, LO, SippRunner, stopSipp, type SippResult } from './sipp-run';

const QUICK = process.argv.includes('--quick');
/** Only the calls/s steps and their profile (for before/after comparisons of a change). */
const CPS_ONLY = process.argv.includes('--cps-only');
const PCAP = '/usr/share/sip-tester/g711a.pcap';
const SECRET = randomBytes(24).toString('hex');
const NUMBER = '+15550100';
const DOMAIN = 'patchbay.local';

const CPS_STEPS = process.env.BENCH_CPS_STEPS ? process.env.BENCH_CPS_STEPS.split(',').map(Number) : QUICK ? [100, 300] : [50, 100, 200, 300, 400, 600, 800, 1000];
const CALLS_PER_STEP_S = QUICK ? 3 : 5; // each step = rate × this many calls
const TALK_MS = 100; // short calls: talk this long once bridged
const LATENCY_RATE = 100;
const LATENCY_SECONDS = QUICK ? 3 : 5;
const CONC_STEPS = QUICK ? [100] : [100, 250, 500, 1000];
const CONC_WINDOW_S = QUICK ? 3 : 5;
const RECV_TIMEOUT = QUICK ? '4000' : '8000'; // ms a SIPp caller waits for any expected message

const work = mkdtempSync(path.join(os.tmpdir(), 'pb-bench-acd-'));
const out = (s = '') => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ───────────────────────────── SIPp ─────────────────────────────

const runner = new SippRunner(work);
const sipp = (scenario: string, args: string[], seconds: number) => runner.run(scenario, args, seconds);

/** A free even port whose +2 is free too (-rtp_echo also binds media port + 2). */
async function freeMediaPort(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (p % 2 === 0 && p < 65000) return p;
  }
}

// ───────────────────────────── the ACD child and its device ─────────────────────────────

const registerDevice = (acd: AcdProcess) => registerDeviceOn(runner, acd, SECRET);
const deviceUas = (port: number, calls: number, seconds: number, echoPort?: number) => deviceUasOn(runner, port, calls, seconds, echoPort);

// ───────────────────────────── helpers ─────────────────────────────

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;

/** RTP packets per second of g711a.pcap (what each SIPp caller sends while it plays). */
function pcapPacketRate(): { packets: number; seconds: number } {
  const d = readFileSync(PCAP);
  const le = d.readUInt32LE(0) === 0xa1b2c3d4;
  const u32 = (o: number) => (le ? d.readUInt32LE(o) : d.readUInt32BE(o));
  let off = 24;
  let n = 0;
  let t0 = -1;
  let t1 = 0;
  while (off + 16 <= d.length) {
    const t = u32(off) + u32(off + 4) / 1e6;
    if (t0 < 0) t0 = t;
    t1 = t;
    off += 16 + u32(off + 8);
    n++;
  }
  return { packets: n, seconds: t1 - t0 };
}

/** Kernel drop counter of the UDP socket bound on `port` (/proc/net/udp, last column). */
function udpDrops(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[1]?.endsWith(`:${hex}`)) return Number(cols[cols.length - 1]);
  }
  return NaN;
}

// ───────────────────────────── 1. calls per second ─────────────────────────────

interface CpsStep {
  rate: number;
  calls: number;
  acd: SippResult & { dialsFailed: number; dialFailures: Record<string, number>; offers: number; dialsOk: number; deviceOk: number; leftoverLegs: number; wallS: number; cpu: number };
  ref: SippResult & { wallS: number };
}

async function cpsStepAcd(acd: AcdProcess, ctl: BenchController, dev: { user: string; port: number }, rate: number, calls: number, seconds: number, extra: string[] = []) {
  const c0 = { ...ctl.counters, failures: { ...ctl.counters.failures } };
  const uas = deviceUas(dev.port, calls, seconds + 10);
  await sleep(300);
  const s0 = await acd.stats();
  const t0 = Date.now();
  const caller = await sipp(
    'caller-acd.xml',
    ['-t', 'u1', '-p', String(await freePort()), '-s', NUMBER, '-r', String(rate), '-m', String(calls), '-l', '5000', '-d', String(TALK_MS), '-recv_timeout', RECV_TIMEOUT, '-max_socket', '64', ...extra, `${LO}:${acd.udp}`],
    seconds + 8,
  ).done;
  const wallS = (Date.now() - t0) / 1000;
  const s1 = await acd.stats();
  const cpu = (s1.cpuUserUs + s1.cpuSystemUs - s0.cpuUserUs - s0.cpuSystemUs) / 1e4 / wallS;
  const dev_ = await stopSipp(uas, 3000);
  const s = await acd.drained(5000);
  const c = ctl.counters;
  return {
    ...caller,
    dialsFailed: c.dialsFailed - c0.dialsFailed,
    dialFailures: Object.fromEntries(Object.entries(c.failures).map(([k, v]) => [k, v - (c0.failures[Number(k)] ?? 0)]).filter(([, v]) => Number(v) > 0)),
    offers: c.offers - c0.offers,
    dialsOk: c.dialsOk - c0.dialsOk,
    deviceOk: dev_.ok,
    leftoverLegs: s.legs,
    wallS,
    cpu,
  };
}

async function cpsStepRef(rate: number, calls: number, seconds: number, extra: string[] = []) {
  const port = await freePort();
  const uas = deviceUas(port, calls, seconds + 10);
  await sleep(300);
  const t0 = Date.now();
  const caller = await sipp(
    'caller.xml',
    ['-t', 'u1', '-p', String(await freePort()), '-s', NUMBER, '-r', String(rate), '-m', String(calls), '-l', '5000', '-d', String(TALK_MS), '-recv_timeout', RECV_TIMEOUT, '-max_socket', '64', ...extra, `${LO}:${port}`],
    seconds + 8,
  ).done;
  const wallS = (Date.now() - t0) / 1000;
  await stopSipp(uas, 3000);
  return { ...caller, wallS };
}

// ───────────────────────────── main ─────────────────────────────

async function main(): Promise<void> {
  const started = Date.now();
  out(`ACD benchmark ${QUICK ? '(--quick) ' : ''}— ${new Date().toISOString()}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}`);
  out('ACD: child process, real Acd + WeriftMediaEngine (plain RTP legs), UDP on 127.0.0.1, logger at warn');
  out('controller: raw SIP test client over WS (lighter than a JsSIP UA), in the bench process');
  out('reference: the same SIPp caller scenario straight to the same SIPp device scenario (no ACD)');
  out();

  // ── 1 + 4: calls per second, profiled ──
  const profDir = mkdtempSync(path.join(work, 'prof-'));
  let acd = await AcdProcess.start({ secret: SECRET, number: NUMBER, profileDir: profDir });
  let dev = await registerDevice(acd);
  let ctl = await BenchController.start(`ws://${LO}:${acd.ws}`, SECRET, DOMAIN, dev.user);

  out(`1. calls per second (steps of ${CALLS_PER_STEP_S} s × rate calls; each call: INVITE → parked → offered → device dialled → bridged → ${TALK_MS} ms → caller BYE → controller releases the device)`);
  out('   rate  | ACD: ok/failed  wall s  retrans  CPU%  offers dialled | reference: ok/failed  wall s');
  const steps: CpsStep[] = [];
  for (const rate of CPS_STEPS) {
    const calls = rate * CALLS_PER_STEP_S;
    const a = await cpsStepAcd(acd, ctl, dev, rate, calls, CALLS_PER_STEP_S);
    const r = await cpsStepRef(rate, calls, CALLS_PER_STEP_S);
    steps.push({ rate, calls, acd: a, ref: r });
    const aBad = Math.max(a.failed, calls - a.ok);
    out(
      `   ${String(rate).padStart(5)} | ${String(a.ok).padStart(6)}/${String(aBad).padEnd(5)} ${f1(a.wallS).padStart(6)}  ${String(a.retrans).padStart(7)}  ${a.cpu.toFixed(0).padStart(4)}  ${String(a.offers).padStart(6)} ${String(a.dialsOk).padStart(7)} | ${String(r.ok).padStart(6)}/${String(r.failed + (calls - r.ok)).padEnd(5)} ${f1(r.wallS).padStart(6)}${a.leftoverLegs ? `   (ACD legs left: ${a.leftoverLegs})` : ''}${a.dialsFailed ? `   (failed dials: ${JSON.stringify(a.dialFailures)})` : ''}`,
    );
    if (aBad > 0) break;
  }
  const passed = (s: CpsStep['acd'] | CpsStep['ref'], calls: number) => s.ok === calls && s.failed === 0;
  const bestAcd = Math.max(0, ...steps.filter((s) => passed(s.acd, s.calls) && s.acd.dialsFailed === 0).map((s) => s.rate));
  const bestRef = Math.max(0, ...steps.filter((s) => passed(s.ref, s.calls)).map((s) => s.rate));
  const topTried = steps[steps.length - 1]!.rate;
  out(`   highest step with zero failures: ACD ${bestAcd} calls/s, reference ${bestRef} calls/s${bestRef === topTried ? ' (reference not pushed further; FACTS.md: its ceiling is ~3,000 calls/s)' : ''}; ratio ACD/reference ${f2(bestAcd / bestRef)}`);
  await ctl.close();
  await acd.stop();
  const profFile = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  out();
  out('4. where the ACD spends its time during the calls/s steps (node --cpu-prof on the child; top 10 self time)');
  if (profFile) for (const l of summariseProfile(path.join(profDir, profFile)).lines) out(`   ${l}`);
  else out('   (no profile written)');
  out();

  if (CPS_ONLY) return;

  // ── 2: setup latency ──
  acd = await AcdProcess.start({ secret: SECRET, number: NUMBER });
  dev = await registerDevice(acd);
  ctl = await BenchController.start(`ws://${LO}:${acd.ws}`, SECRET, DOMAIN, dev.user);
  {
    const calls = LATENCY_RATE * LATENCY_SECONDS;
    acd.latencyOn();
    const a = await cpsStepAcd(acd, ctl, dev, LATENCY_RATE, calls, LATENCY_SECONDS, ['-trace_rtt', '-rtt_freq', '1']);
    const lat = await acd.latencyOff();
    const r = await cpsStepRef(LATENCY_RATE, calls, LATENCY_SECONDS, ['-trace_rtt', '-rtt_freq', '1']);
    const p50 = pct(lat.samplesMs, 50);
    const p99 = pct(lat.samplesMs, 99);
    const r50 = pct(r.rtt, 50);
    const r99 = pct(r.rtt, 99);
    out(`2. setup latency at ${LATENCY_RATE} calls/s, ${calls} calls (ACD: ${a.ok} ok, ${a.failed} failed)`);
    out('   ACD: caller INVITE in → device INVITE out, timestamped on the ACD\'s UDP socket in the child (bench hook);');
    out('        includes the 200/ACK to the caller, the route-point offer to the controller over WS, its dial INVITE, 407, authenticated INVITE');
    out(`        p50 ${f1(p50)} ms, p99 ${f1(p99)} ms, max ${f1(Math.max(...lat.samplesMs))} ms over ${lat.samplesMs.length} calls (${lat.unmatched} unmatched)`);
    const a50 = pct(a.rtt, 50);
    const a99 = pct(a.rtt, 99);
    out(`   the same calls seen by SIPp, INVITE sent → 200 received (-trace_rtt, whole ms): ACD p50 ${a50} ms, p99 ${a99} ms; reference (SIPp → SIPp) p50 ${r50} ms, p99 ${r99} ms`);
    out(`   (the reference has no device INVITE to time; its INVITE → 200 is one round trip between two SIPps, ~0 ms at SIPp's 1 ms resolution, so no ratio is printed for latency)`);
    out();
  }

  // ── 3: concurrent bridged calls with RTP ──
  const pcap = pcapPacketRate();
  const pps = pcap.packets / pcap.seconds;
  out(`3. concurrent bridged calls, G.711 A-law: each SIPp caller plays ${path.basename(PCAP)} three times (${pcap.packets} packets in ${pcap.seconds.toFixed(2)} s each, ${pps.toFixed(1)} packets/s), the SIPp device echoes (-rtp_echo)`);
  out(`   ACD-side packet counters over a ${CONC_WINDOW_S} s window with all N calls bridged: in = from callers, →dev = forwarded to the device, ←dev = echoed back, →caller = forwarded to callers`);
  out('   drops = datagrams the kernel dropped on the ACD\'s sockets (full receive buffers); loss through the bridge = 1 − ←dev / (in + drops), the path caller → ACD → device → ACD');
  out('   CPU% of one core (the ACD is one JS thread); per call = (RSS at N − RSS idle) / N and heap used / N, after a full GC');
  out('       N | ACD: bridged  in/exp  drops    →dev    ←dev  →caller   loss  CPU%      RSS  per call (RSS, heap) | calls ok/failed');
  const concSipp = async (scenario: string, target: string, n: number, rate: number, seconds: number) =>
    sipp(scenario, ['-t', 'u1', '-p', String(await freePort()), '-mp', String(await freeMediaPort()), '-s', NUMBER, '-r', String(rate), '-m', String(n), '-l', String(n + 10), '-recv_timeout', '20000', '-max_socket', '64', target], seconds);
  let bestConc = 0;
  let lastN = 0;
  let lastRate = 0;
  let rssIdle = 0;
  for (const n of CONC_STEPS) {
    const rate = Math.min(100, Math.max(50, Math.round(n / 4)));
    const ramp = n / rate;
    const seconds = Math.ceil(ramp + 22 + 25);
    lastN = n;
    lastRate = rate;
    const idle = await acd.drained(8000);
    const s0 = await acd.stats(true);
    rssIdle = s0.rss;
    void idle;
    const uas = deviceUas(dev.port, n, seconds, await freeMediaPort());
    await sleep(300);
    const caller = await concSipp('caller-acd-rtp.xml', `${LO}:${acd.udp}`, n, rate, seconds);
    // wait for all N bridged (2N legs; a parked caller is 1), at most the ramp + 5 s
    const rampEnd = Date.now() + (ramp + 5) * 1000;
    let s = await acd.stats();
    while (s.legs < 2 * n && Date.now() < rampEnd) {
      await sleep(200);
      s = await acd.stats();
    }
    await sleep(500);
    const s1 = await acd.stats();
    const t1 = Date.now();
    await sleep(CONC_WINDOW_S * 1000);
    const s2 = await acd.stats(true);
    const w = (Date.now() - t1) / 1000;
    const bridged = Math.floor(Math.min(s1.legs, s2.legs) / 2);
    const expected = bridged * pps * w;
    const dIn = s2.callerRtpIn - s1.callerRtpIn;
    const dToDev = s2.deviceRtpOut - s1.deviceRtpOut;
    const dFromDev = s2.deviceRtpIn - s1.deviceRtpIn;
    const dToCaller = s2.callerRtpOut - s1.callerRtpOut;
    const dDrops = s2.udpDrops - s1.udpDrops;
    const loss = 1 - dFromDev / (dIn + dDrops);
    const cpu = (s2.cpuUserUs + s2.cpuSystemUs - s1.cpuUserUs - s1.cpuSystemUs) / 1e4 / w;
    const perCall = (s2.rss - s0.rss) / Math.max(1, bridged);
    const heapPerCall = (s2.heapUsed - s0.heapUsed) / Math.max(1, bridged);
    let a: SippResult;
    if (QUICK) {
      // --quick: the window is what counts; end the calls now instead of waiting ~20 s
      caller.child.kill('SIGTERM');
      a = await caller.done;
      await stopSipp(uas, 0);
    } else {
      a = await caller.done;
      await stopSipp(uas, 3000);
    }
    out(
      `   ${String(n).padStart(5)} | ${String(bridged).padStart(7)}  ${f2(dIn / expected).padStart(6)}  ${String(dDrops).padStart(5)}  ${String(dToDev).padStart(6)}  ${String(dFromDev).padStart(6)}  ${String(dToCaller).padStart(7)}  ${(loss * 100).toFixed(1).padStart(5)}%  ${cpu.toFixed(0).padStart(4)}  ${mb(s2.rss).padStart(8)}  ${(perCall / 1024).toFixed(0).padStart(5)} KB, ${(heapPerCall / 1024).toFixed(0)} KB | ${a.ok}/${a.failed}${QUICK ? ' (calls ended early by --quick)' : ''}`,
    );
    const okAcd = bridged >= n * 0.99 && loss <= 0.05;
    if (okAcd) bestConc = n;
    if (!okAcd || cpu >= 95) {
      out(`   stopped at N=${n}: ${!okAcd ? (bridged < n * 0.99 ? `only ${bridged} bridged` : `loss ${(loss * 100).toFixed(1)}% > 5%`) : `ACD CPU ${cpu.toFixed(0)}% (its one JS thread saturated)`}`);
      break;
    }
  }
  out(`   ACD RSS idle (after GC): ${mb(rssIdle)}`);
  await ctl.close();
  await acd.stop();

  // the reference at the last N tried (and at the ACD's best N when SIPp alone fails at the last):
  // SIPp caller → SIPp device directly, same scenario and ramp
  const reference = async (n: number, rate: number): Promise<boolean> => {
    const ramp = n / rate;
    const seconds = Math.ceil(ramp + 22 + 25);
    const echo = await freeMediaPort();
    const port = await freePort();
    const uas = deviceUas(port, n, seconds, echo);
    await sleep(300);
    const caller = await concSipp('caller-rtp.xml', `${LO}:${port}`, n, rate, seconds);
    const tStart = Date.now();
    await sleep((ramp + 0.5 + CONC_WINDOW_S) * 1000);
    const drops = udpDrops(echo);
    // packets the callers had sent by now: each call plays from its start, calls start evenly over the ramp
    const elapsed = (Date.now() - tStart) / 1000;
    const sentSoFar = n * pps * Math.max(0, elapsed - ramp / 2);
    const refLoss = drops / sentSoFar;
    let r: SippResult;
    if (QUICK) {
      caller.child.kill('SIGTERM');
      r = await caller.done;
      await stopSipp(uas, 0);
    } else {
      r = await caller.done;
      await stopSipp(uas, 3000);
    }
    const ok = refLoss <= 0.05 && (QUICK || (r.ok === n && r.failed === 0));
    out(
      `   reference at N=${n} (SIPp → SIPp, no ACD): ${r.ok}/${r.failed} calls ok/failed; SIPp does not count RTP, so loss = kernel drops on the device's echo socket: ${drops} of ≈ ${sentSoFar.toFixed(0)} sent by then (${(refLoss * 100).toFixed(1)}%) → ${ok ? 'sustained' : 'not sustained'}`,
    );
    return ok;
  };
  let bestRefConc = (await reference(lastN, lastRate)) ? lastN : 0;
  if (!bestRefConc && bestConc && bestConc !== lastN) bestRefConc = (await reference(bestConc, Math.min(100, Math.max(50, Math.round(bestConc / 4))))) ? bestConc : 0;
  out(`   highest N with ≥ 99% bridged and loss ≤ 5%: ACD ${bestConc}; reference ${bestRefConc}${bestRefConc === lastN ? ' (not pushed further)' : ` (fails at ${lastN})`}; ratio ${bestRefConc ? f2(bestConc / bestRefConc) : 'n/a'}`);
  out();
  out(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function cleanup(): void {
  runner.killAll();
  if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
}

process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

main()
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(cleanup);
