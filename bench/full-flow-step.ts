/**
 * One calls-per-second step of bench/full-flow.ts, through the whole platform or through the
 * ACD-only controller (bench/acd-child.ts + bench/acd-controller.ts), measured the same way:
 * SIPp callers (bench/sipp/caller-full.xml) at `rate` for `seconds`, arrival → bridged per
 * call from SIPp's response-time trace, CPU and RSS of every process from /proc.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import type { BenchController } from './acd-controller';
import { deviceUas, type AcdProcess } from './acd-process';
import { pct, waitTrend, type WaitTrend } from './figures';
import type { IpcChild } from './ipc-child';
import type { PhoneCounters, PhonesReply, PhonesRequest } from './phones-child';
import type { PlatformProcess } from './platform-process';
import { cpuDelta, loadAverage, procSample, runQueueWaitS, sampleAll, type ProcSample } from './proc-stats';
import type { RowCounts, ScratchDb, TimelineCheck } from './scratch-db';
import { freePort, LO, stopSipp, type SippResult, type SippRunner } from './sipp-run';

export const TALK_MS = 1000;
const RECV_TIMEOUT_MS = 15_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ProcFigure {
  name: string;
  /** % of one core over the step */
  cpuPct: number;
  /** % of the step its main thread waited on a run queue for a CPU (the machine's share, not the process's) */
  waitPct?: number;
  rss: number | null;
}

export interface StepResult {
  rate: number;
  calls: number;
  ok: number;
  /** callers the ACD refused past capacity (503 + Retry-After, or a busy message): told, not lost */
  refused: number;
  failed: number;
  retrans: number;
  wallS: number;
  /** arrival → bridged (SIPp: INVITE sent → INFO bridged), ms */
  wait: { p50: number; p99: number; max: number; n: number };
  trend: WaitTrend;
  /** caller INVITE in → device INVITE out inside the switch (bench hook), ms */
  toDevice: { p50: number; p99: number; n: number; unmatched: number };
  procs: ProcFigure[];
  /** CPU ms per bridged call of the process under test (the platform, or the ACD child) */
  cpuMsPerCall: number;
  /** PostgreSQL backends' CPU ms per call (full flow only) */
  dbMsPerCall: number | null;
  rows: (RowCounts & { perCall: number }) | null;
  timeline: TimelineCheck | null;
  log: { lines: number; bytes: number; warnings: number } | null;
  /** what the operators' phones saw: INVITEs answered and BYEs from the CTI (full flow only) */
  phones: { invites: number; byes: number; reinvites: number } | null;
  /** bridged calls per second while calls were being placed and bridged */
  bridgedPerS: number;
  leftOpen: number;
  load: string;
}

/** The SIPp process under `timeout` (its only child), for its CPU. */
export function sippPid(run: { child: { pid?: number | undefined } }): number | null {
  const t = run.child.pid;
  if (!t) return null;
  try {
    const c = readFileSync(`/proc/${t}/task/${t}/children`, 'utf8').trim().split(/\s+/)[0];
    return c ? Number(c) : null;
  } catch {
    return null;
  }
}

const waitPct = (a: number | null, b: number | null, wallS: number) => (a !== null && b !== null ? ((b - a) / wallS) * 100 : NaN);

function callerArgs(rate: number, calls: number, port: number, number: string, target: string): string[] {
  return ['-t', 'u1', '-p', String(port), '-s', number, '-r', String(rate), '-m', String(calls), '-l', '20000', '-d', String(TALK_MS), '-recv_timeout', String(RECV_TIMEOUT_MS), '-max_socket', '64', '-trace_rtt', '-rtt_freq', '1', target];
}

/** Runs the caller SIPp and samples its CPU halfway (it exits before the end sample could be read). */
async function runCallers(sipp: SippRunner, args: string[], seconds: number): Promise<{ r: SippResult; sippCpuS: number; wallS: number }> {
  const t0 = Date.now();
  const run = sipp.run('caller-full.xml', args, seconds + RECV_TIMEOUT_MS / 1000 + 15);
  let last: ProcSample | null = null;
  const pid = await sleep(200).then(() => sippPid(run));
  const poll = setInterval(() => {
    const s = pid ? procSample(pid) : null;
    if (s) last = s;
  }, 500);
  const r = await run.done;
  clearInterval(poll);
  return { r, sippCpuS: (last as ProcSample | null)?.cpuS ?? NaN, wallS: (Date.now() - t0) / 1000 };
}

function waitFigures(r: SippResult): Pick<StepResult, 'wait' | 'trend' | 'bridgedPerS'> {
  const placed = r.rttAt.map((at, i) => at - r.rtt[i]!);
  const spanS = r.rtt.length > 1 ? (Math.max(...r.rttAt) - Math.min(...placed)) / 1000 : NaN;
  return {
    wait: { p50: pct(r.rtt, 50), p99: pct(r.rtt, 99), max: r.rtt.length ? Math.max(...r.rtt) : NaN, n: r.rtt.length },
    trend: waitTrend(placed, r.rtt),
    bridgedPerS: r.rtt.length / spanS,
  };
}

/** Lines, bytes and pino warn/error lines the platform logged since byte `from`. */
function logSince(file: string, from: number): { lines: number; bytes: number; warnings: number; end: number } {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let pos = from;
    let lines = 0;
    let warnings = 0;
    let carry = '';
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) break;
      pos += n;
      const text = carry + buf.toString('utf8', 0, n);
      const cut = text.lastIndexOf('\n') + 1;
      for (const line of text.slice(0, cut).split('\n')) {
        if (!line) continue;
        lines++;
        if (/"level":(4|5|6)0[,}]/.test(line)) warnings++;
      }
      carry = text.slice(cut);
    }
    return { lines, bytes: pos - from, warnings, end: pos };
  } finally {
    closeSync(fd);
  }
}

export interface FullContext {
  sipp: SippRunner;
  platform: PlatformProcess;
  db: ScratchDb;
  phones: IpcChild<PhonesRequest, PhonesReply>;
  number: string;
  logOffset: number;
}

async function phoneCounters(phones: FullContext['phones']): Promise<PhoneCounters> {
  return (await phones.ask({ op: 'stats' }, 'stats')).counters;
}

export async function fullFlowStep(ctx: FullContext, rate: number, seconds: number, profileFile: string | null): Promise<StepResult> {
  const calls = rate * seconds;
  const load = loadAverage();
  const [rows0, pg0, cluster] = [await ctx.db.counts(), await ctx.db.backendPids(), await ctx.db.clusterPids()];
  const since = new Date();
  const ph0 = await phoneCounters(ctx.phones);
  const parts = ctx.platform.pids;
  const rq0 = parts.map((x) => runQueueWaitS(x.pid));
  const before = { platform: parts.map((x) => procSample(x.pid)), pg: sampleAll(pg0), cluster: sampleAll(cluster), phones: procSample(ctx.phones.pid), bench: process.cpuUsage() };
  if (profileFile) await ctx.platform.profileStart();
  const refused0 = await ctx.platform.refusedCallers();
  ctx.platform.latencyOn();
  const { r, sippCpuS, wallS } = await runCallers(ctx.sipp, callerArgs(rate, calls, await freePort(), ctx.number, `${LO}:${ctx.platform.sipUdpPort}`), seconds);
  const refused = (await ctx.platform.refusedCallers()) - refused0;
  const lat = await ctx.platform.latencyOff();
  const pg1 = await ctx.db.backendPids();
  const rq1 = parts.map((x) => runQueueWaitS(x.pid));
  const after = { platform: parts.map((x) => procSample(x.pid)), pg: sampleAll([...new Set([...pg0, ...pg1])]), cluster: sampleAll(cluster), phones: procSample(ctx.phones.pid), bench: process.cpuUsage(before.bench) };
  if (profileFile) await ctx.platform.profileStop(profileFile);
  // drain: every call ended in the database and every phone released, at most 40 s
  const end = Date.now() + 40_000;
  let open = await ctx.db.openCalls();
  let phones = await phoneCounters(ctx.phones);
  while ((open > 0 || phones.active > 0) && Date.now() < end) {
    await sleep(500);
    open = await ctx.db.openCalls();
    phones = await phoneCounters(ctx.phones);
  }
  await sleep(1000); // the last timeline writes
  const rows1 = await ctx.db.counts();
  const timeline = await ctx.db.timelines(since);
  const log = logSince(ctx.platform.logFile, ctx.logOffset);
  ctx.logOffset = log.end;
  const pct1 = (a: ProcSample | null, b: ProcSample | null) => (a && b ? ((b.cpuS - a.cpuS) / wallS) * 100 : NaN);
  // the platform's CPU: every process of it (one, or the ACD's, the CTI's and the web's)
  const platformS = parts.reduce((n, _x, i) => {
    const [a, b] = [before.platform[i], after.platform[i]];
    return n + (a && b ? b.cpuS - a.cpuS : NaN);
  }, 0);
  const dbS = cpuDelta(before.pg, after.pg);
  const bridged = r.ok - refused;
  const ok = Math.max(1, bridged);
  return {
    rate,
    calls,
    ok: bridged,
    refused,
    failed: Math.max(r.failed, calls - r.ok),
    retrans: r.retrans,
    wallS,
    ...waitFigures(r),
    toDevice: { p50: pct(lat.samplesMs, 50), p99: pct(lat.samplesMs, 99), n: lat.samplesMs.length, unmatched: lat.unmatched },
    procs: [
      ...parts.map((x, i) => ({ name: x.name, cpuPct: pct1(before.platform[i] ?? null, after.platform[i] ?? null), rss: after.platform[i]?.rssBytes ?? null, waitPct: waitPct(rq0[i] ?? null, rq1[i] ?? null, wallS) })),
      { name: `PostgreSQL backends (${after.pg.size})`, cpuPct: (dbS / wallS) * 100, rss: [...after.pg.values()].reduce((n, s) => n + s.rssBytes, 0) },
      { name: 'PostgreSQL cluster processes (shared)', cpuPct: (cpuDelta(before.cluster, after.cluster) / wallS) * 100, rss: null },
      { name: 'SIP phones (bench child)', cpuPct: pct1(before.phones, after.phones), rss: after.phones?.rssBytes ?? null },
      { name: 'SIPp callers', cpuPct: (sippCpuS / wallS) * 100, rss: null },
      { name: 'bench (consoles, SIPp supervision)', cpuPct: ((after.bench.user + after.bench.system) / 1e4 / wallS), rss: process.memoryUsage().rss },
    ],
    cpuMsPerCall: (platformS * 1000) / ok,
    dbMsPerCall: (dbS * 1000) / ok,
    rows: { calls: rows1.calls - rows0.calls, callEvents: rows1.callEvents - rows0.callEvents, agentStates: rows1.agentStates - rows0.agentStates, audit: rows1.audit - rows0.audit, sessions: rows1.sessions - rows0.sessions, perCall: (rows1.calls + rows1.callEvents + rows1.agentStates - rows0.calls - rows0.callEvents - rows0.agentStates) / ok },
    timeline,
    log: { lines: log.lines, bytes: log.bytes, warnings: log.warnings },
    phones: { invites: phones.invites - ph0.invites, byes: phones.byes - ph0.byes, reinvites: phones.reinvites - ph0.reinvites },
    leftOpen: open + phones.active,
    load,
  };
}

export interface AcdContext {
  sipp: SippRunner;
  acd: AcdProcess;
  ctl: BenchController;
  device: { port: number };
  number: string;
}

export async function acdOnlyStep(ctx: AcdContext, rate: number, seconds: number): Promise<StepResult> {
  const calls = rate * seconds;
  const load = loadAverage();
  const uas = deviceUas(ctx.sipp, ctx.device.port, calls, seconds + RECV_TIMEOUT_MS / 1000 + 30);
  await sleep(300);
  const c0 = { ...ctx.ctl.counters };
  const rq0 = runQueueWaitS(ctx.acd.child.pid ?? 0);
  const before = { acd: procSample(ctx.acd.child.pid ?? 0), bench: process.cpuUsage() };
  ctx.acd.latencyOn();
  const { r, sippCpuS, wallS } = await runCallers(ctx.sipp, callerArgs(rate, calls, await freePort(), ctx.number, `${LO}:${ctx.acd.udp}`), seconds);
  const lat = await ctx.acd.latencyOff();
  const rq1 = runQueueWaitS(ctx.acd.child.pid ?? 0);
  const after = { acd: procSample(ctx.acd.child.pid ?? 0), bench: process.cpuUsage(before.bench) };
  await stopSipp(uas, 3000);
  const s = await ctx.acd.drained(20_000);
  const acdS = before.acd && after.acd ? after.acd.cpuS - before.acd.cpuS : NaN;
  const dialsFailed = ctx.ctl.counters.dialsFailed - c0.dialsFailed;
  return {
    rate,
    calls,
    ok: r.ok,
    refused: 0,
    failed: Math.max(r.failed, calls - r.ok, dialsFailed),
    retrans: r.retrans,
    wallS,
    ...waitFigures(r),
    toDevice: { p50: pct(lat.samplesMs, 50), p99: pct(lat.samplesMs, 99), n: lat.samplesMs.length, unmatched: lat.unmatched },
    procs: [
      { name: 'ACD child', cpuPct: (acdS / wallS) * 100, rss: after.acd?.rssBytes ?? null, waitPct: waitPct(rq0, rq1, wallS) },
      { name: 'controller (bench process)', cpuPct: (after.bench.user + after.bench.system) / 1e4 / wallS, rss: process.memoryUsage().rss },
      { name: 'SIPp callers', cpuPct: (sippCpuS / wallS) * 100, rss: null },
    ],
    cpuMsPerCall: (acdS * 1000) / Math.max(1, r.ok),
    dbMsPerCall: null,
    rows: null,
    timeline: null,
    log: null,
    phones: null,
    leftOpen: s.legs,
    load,
  };
}
