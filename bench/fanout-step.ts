/**
 * The fan-out step of bench/full-flow.ts: N operator consoles and S supervisors connected to
 * the running platform over socket.io from two child processes (bench/fanout-child.ts); every
 * operator changes state (ready, then not ready) and the step times the change's delivery to
 * the operator's own console and to every supervisor.
 */
import path from 'node:path';
import type { FanoutReply, FanoutRequest } from './fanout-child';
import { f0, f1, pct } from './figures';
import { IpcChild } from './ipc-child';
import type { PlatformProcess } from './platform-process';
import { loadAverage, procSample } from './proc-stats';

const HERE = path.dirname(new URL(import.meta.url).pathname);
type Child = IpcChild<FanoutRequest, FanoutReply>;

const half = <T>(xs: T[], k: 0 | 1) => xs.filter((_, i) => i % 2 === k);

export async function fanoutStep(platform: PlatformProcess, fanoutCookies: string[], supervisorCookies: string[], out: (s: string) => void): Promise<void> {
  const kids: Child[] = [0, 1].map(() => new IpcChild<FanoutRequest, FanoutReply>(['--import', 'tsx', path.join(HERE, 'fanout-child.ts')]));
  try {
    const t0 = Date.now();
    const conn = await Promise.all(kids.map((c, k) => c.ask({ op: 'connect', base: platform.base, operators: half(fanoutCookies, k as 0 | 1), supervisors: half(supervisorCookies, k as 0 | 1), concurrency: 25 }, 'connected', 300_000)));
    const ops = conn.reduce((n, c) => n + c.operators, 0);
    const sups = conn.reduce((n, c) => n + c.supervisors, 0);
    const failed = conn.reduce((n, c) => n + c.failed, 0);
    out(`   connected ${ops} operator consoles + ${sups} supervisors in ${((Date.now() - t0) / 1000).toFixed(1)} s (${failed} failed; sessions made by the session service, not by 2,000 argon2 sign-ins)`);
    const dev = await Promise.all(kids.map((c) => c.ask({ op: 'device' }, 'device', 300_000)));
    out(`   browser device granted to ${dev.reduce((n, d) => n + d.ok, 0)} (${dev.reduce((n, d) => n + d.failed, 0)} failed)`);
    out('   round                         | own console: got  p50  p99  max ms | each supervisor: got/expected  p50  p99  max ms | ack p50 p99 ms | platform CPU% | load');
    for (const [to, spreadMs, label] of [
      ['ready', 4000, `ready, ${ops} changes over 4 s`],
      ['not_ready', 0, `not ready, ${ops} at once`],
    ] as const) {
      const p0 = procSample(platform.pid);
      const w0 = Date.now();
      const load = loadAverage();
      await Promise.all(kids.map((c) => c.ask({ op: 'arm', to }, 'armed')));
      const rs = await Promise.all(kids.map((c) => c.ask({ op: 'round', spreadMs, expectPerSupervisor: ops, timeoutMs: 30_000 }, 'round', 120_000)));
      const p1 = procSample(platform.pid);
      const cpu = p0 && p1 ? ((p1.cpuS - p0.cpuS) / ((Date.now() - w0) / 1000)) * 100 : NaN;
      const own = rs.flatMap((r) => r.own);
      const sup = rs.flatMap((r) => r.supervision);
      const acks = rs.flatMap((r) => r.acks);
      const supMissing = rs.reduce((n, r) => n + r.supervisionMissing, 0);
      const max = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN);
      out(
        `   ${label.padEnd(29)} | ${String(own.length).padStart(16)} ${f0(pct(own, 50)).padStart(4)} ${f0(pct(own, 99)).padStart(4)} ${f0(max(own)).padStart(4)}    | ${`${sup.length}/${ops * sups}`.padStart(28)} ${f0(pct(sup, 50)).padStart(4)} ${f0(pct(sup, 99)).padStart(4)} ${f0(max(sup)).padStart(4)}    | ${f0(pct(acks, 50)).padStart(7)} ${f0(pct(acks, 99)).padStart(3)}    | ${f1(cpu).padStart(13)} | ${load}${supMissing ? `  (${supMissing} supervisor deliveries missing after 30 s)` : ''}`,
      );
    }
  } finally {
    await Promise.all(kids.map((c) => c.stop({ op: 'stop' }, 5000)));
  }
}
