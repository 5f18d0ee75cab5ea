/**
 * Soak (issue 11 §8): the whole platform held at SOAK_CALLS concurrent calls (default 100) for
 * SOAK_MIN minutes (default 30), as users run it — server/main.ts on a scratch PostgreSQL
 * database, operators signed in and Ready on UDP SIP phones (bench/platform-with-operators.ts),
 * SIPp callers sending real G.711 RTP for 21.3 s each, then hanging up first. Every minute it
 * prints the platform's RSS and heap, CPU, live calls, ACD legs, RTP packets per second and
 * the calls stored; at the end the memory trend and the checks: lost call records, stuck
 * operators, legs and phones still held, timelines out of order. Prints figures; asserts nothing.
 *
 *   npm run bench:soak                       (npx tsx bench/soak.ts)
 *   SOAK_MIN=5 SOAK_CALLS=50 npx tsx bench/soak.ts
 *
 * Needs `next build`, SIPp and PostgreSQL on 127.0.0.1:5432 (trust), like bench/full-flow.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO } from '../server/db/seed';
import { runBench } from './bench-main';
import { f0, f1, mb } from './figures';
import { sippPid } from './full-flow-step';
import { startPlatformWithOperators } from './platform-with-operators';
import { loadAverage, procSample } from './proc-stats';
import { freePort, LO, SippRunner } from './sipp-run';

const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const MINUTES = num('SOAK_MIN', 30);
const CALLS = num('SOAK_CALLS', 100);
const SAMPLE_S = num('SOAK_SAMPLE_S', 60);
const OPERATORS = num('SOAK_OPERATORS', CALLS + 20);
/** SIPp's ramp: calls started per second until CALLS are up, then one per call that ends. */
const RAMP_RATE = num('SOAK_RAMP_RATE', 10);
const METRICS_TOKEN = randomBytes(24).toString('hex');

const out = (s = '') => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const work = mkdtempSync(path.join(os.tmpdir(), 'pb-bench-soak-'));
const sipp = new SippRunner(work);
const cleanups: Array<() => Promise<void>> = [];

/** The Prometheus samples of `name`, summed over the label sets matching `labels`. */
function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Least-squares slope of ys over xs. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}

interface Sample {
  min: number;
  rss: number;
  heap: number;
  cpuPct: number;
  live: number;
  legs: number;
  rtpInPerS: number;
  rtpOutPerS: number;
  stored: number;
  open: number;
}

async function main(): Promise<void> {
  const started = Date.now();
  process.env.METRICS_TOKEN = METRICS_TOKEN; // PlatformProcess passes the environment on
  out(`Soak — ${new Date().toISOString()}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}, load average ${loadAverage()}`);
  out(`platform: server/main.ts in a child process, PostgreSQL 127.0.0.1:5432 (scratch database), LOG_LEVEL=info to a file`);
  out(`calls: ${CALLS} concurrent for ${MINUTES} min; each SIPp caller is bridged to a Ready operator's UDP phone, sends G.711 A-law RTP for 21.3 s and hangs up first; ${OPERATORS} operators, wrap-up 0`);
  const boot = await startPlatformWithOperators({ work, operators: OPERATORS, fanout: 0, supervisors: 0, cleanups });
  const { db, platform, phones } = boot;
  out(`set-up: ${OPERATORS} operators signed in, ${boot.phonesRegistered} phones registered, all Ready, after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const scrape = async () => {
    const res = await fetch(`${platform.base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    if (!res.ok) throw new Error(`/metrics: HTTP ${res.status}`);
    return res.text();
  };
  const rows0 = await db.counts();
  const since = new Date();

  const mediaPort = await (async () => {
    for (;;) {
      const p = await freePort();
      if (p % 2 === 0 && p < 65000) return p;
    }
  })();
  const run = sipp.run('caller-soak.xml', ['-t', 'u1', '-p', String(await freePort()), '-mp', String(mediaPort), '-s', DEMO.number, '-r', String(RAMP_RATE), '-l', String(CALLS), '-recv_timeout', '30000', '-max_socket', '64', `${LO}:${platform.sipUdpPort}`], MINUTES * 60 + 180);
  cleanups.push(async () => void run.child.kill('SIGTERM'));

  out();
  out(`1. every ${SAMPLE_S} s`);
  out('    min |   RSS    heap  | platform CPU % | live calls  ACD legs | RTP in/s  out/s | calls stored (open) | load average');
  const samples: Sample[] = [];
  let prev = { t: Date.now(), cpu: procSample(platform.pid)?.cpuS ?? NaN, m: await scrape() };
  const end = Date.now() + MINUTES * 60_000;
  while (Date.now() < end) {
    await sleep(Math.min(SAMPLE_S * 1000, Math.max(0, end - Date.now())));
    const now = Date.now();
    const [stats, m, counts, open] = [await platform.stats(), await scrape(), await db.counts(), await db.openCalls()];
    const cpu = procSample(platform.pid)?.cpuS ?? NaN;
    const dt = (now - prev.t) / 1000;
    const rtp = (t: string, dir: string) => metric(t, 'patchbay_rtp_packets_total', { direction: dir });
    const s: Sample = {
      min: (now - since.getTime()) / 60_000,
      rss: stats.rss,
      heap: stats.heapUsed,
      cpuPct: ((cpu - prev.cpu) / dt) * 100,
      live: metric(m, 'patchbay_calls_live'),
      legs: metric(m, 'patchbay_acd_legs'),
      rtpInPerS: (rtp(m, 'in') - rtp(prev.m, 'in')) / dt,
      rtpOutPerS: (rtp(m, 'out') - rtp(prev.m, 'out')) / dt,
      stored: counts.calls - rows0.calls,
      open,
    };
    samples.push(s);
    prev = { t: now, cpu, m };
    out(`   ${f1(s.min).padStart(4)} | ${mb(s.rss).padStart(7)} ${mb(s.heap).padStart(6)} | ${f0(s.cpuPct).padStart(14)} | ${f0(s.live).padStart(10)} ${f0(s.legs).padStart(9)} | ${f0(s.rtpInPerS).padStart(8)} ${f0(s.rtpOutPerS).padStart(6)} | ${String(s.stored).padStart(12)} (${open}) | ${loadAverage()}`);
  }

  // soft exit (SIGUSR1): SIPp places no new call and ends when its calls have hung up
  const pid = sippPid(run);
  if (pid) process.kill(pid, 'SIGUSR1');
  const r = await run.done;
  const drainEnd = Date.now() + 40_000;
  let open = await db.openCalls();
  let ph = (await phones.ask({ op: 'stats' }, 'stats')).counters;
  let m = await scrape();
  while ((open > 0 || ph.active > 0 || metric(m, 'patchbay_acd_legs') > 0) && Date.now() < drainEnd) {
    await sleep(500);
    [open, ph, m] = [await db.openCalls(), (await phones.ask({ op: 'stats' }, 'stats')).counters, await scrape()];
  }
  await sleep(1500); // the journal's last batch
  const timeline = await db.timelines(since);
  const rows1 = await db.counts();
  const placed = r.ok + r.failed;
  const ready = metric(m, 'patchbay_operators', { state: 'ready' });
  const operatorsNow = metric(m, 'patchbay_operators');

  out();
  out('2. memory over the soak (after the first 2 minutes: the ramp and the caches filling)');
  const steady = samples.filter((s) => s.min >= 2);
  const xs = steady.map((s) => s.min);
  const first = steady[0];
  const last = steady.at(-1);
  if (first && last) {
    out(`   RSS ${mb(first.rss)} at ${f1(first.min)} min → ${mb(last.rss)} at ${f1(last.min)} min; trend ${f1(slope(xs, steady.map((s) => s.rss / 1048576)) * 10)} MB per 10 min`);
    out(`   heap ${mb(first.heap)} → ${mb(last.heap)}; trend ${f1(slope(xs, steady.map((s) => s.heap / 1048576)) * 10)} MB per 10 min (heapUsed as sampled, not after a forced GC)`);
  } else out('   too short for a trend (SOAK_MIN ≥ 4)');
  out();
  out('3. at the end');
  const refused = metric(m, 'patchbay_acd_overload_refused_total');
  const inviteFinal = (cls: string) => metric(m, 'patchbay_acd_sip_responses_total', { direction: 'out', method: 'INVITE', class: cls });
  const stored = rows1.calls - rows0.calls;
  out(`   SIPp: ${placed} calls placed, ${r.ok} completed, ${r.failed} failed ${JSON.stringify(r.failures)}, ${r.retrans} retransmissions`);
  out(`   the ACD's final responses to INVITEs (callers' and the bank's): ${inviteFinal('2xx')} 2xx, ${inviteFinal('4xx')} 4xx, ${inviteFinal('5xx')} 5xx; of them ${refused} refused by its overload guard (503 + Retry-After: told, never offered, no call row by design)`);
  out(`   calls stored: ${stored} (placed − stored − refused = ${placed - stored - refused} lost records); still open: ${open}; outcomes ${JSON.stringify(timeline.outcomes)}; ${timeline.answered} answered, ${timeline.inOrder} caller-hangup → device-release in order`);
  out(`   operators: ${ready} of ${operatorsNow} signed in are Ready (stuck: ${operatorsNow - ready}); phones: ${ph.invites} INVITEs answered, ${ph.byes} released by a BYE, ${ph.active} still held`);
  out(`   ACD legs still held: ${metric(m, 'patchbay_acd_legs')}; CTI live calls: ${metric(m, 'patchbay_calls_live')}`);
  out(`   database rows: +${rows1.calls - rows0.calls} calls, +${rows1.callEvents - rows0.callEvents} call_events, +${rows1.agentStates - rows0.agentStates} agent_state_log`);
  out(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

runBench(main, { sipp, cleanups, work });
