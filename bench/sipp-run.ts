/**
 * Running SIPp from the benches: every run under `timeout` (FACTS.md: an overloaded UAC once
 * ignored its own -timeout), its statistics in its own directory, read back when it exits.
 * Shared by bench/acd-sipp.ts and bench/full-flow.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

export const LO = '127.0.0.1';
export const SCENARIOS = path.join(path.dirname(new URL(import.meta.url).pathname), 'sipp');

export interface SippResult {
  code: number | null;
  ok: number;
  failed: number;
  retrans: number;
  /** SIPp's failure counters that are not 0 (its stat.csv `Failed…(C)` columns: rejected, timeout on receive, unexpected message…) */
  failures: Record<string, number>;
  /** response times of -trace_rtt (ms), in the order SIPp wrote them */
  rtt: number[];
  /** when each of those was measured, ms since SIPp started (same order as `rtt`) */
  rttAt: number[];
}

export interface SippRun {
  done: Promise<SippResult>;
  child: ChildProcess;
}

export class SippRunner {
  private readonly live = new Set<ChildProcess>();

  constructor(private readonly workDir: string) {}

  /** One SIPp run of `scenario` (a file in bench/sipp), killed by `timeout` after `seconds`. */
  run(scenario: string, args: string[], seconds: number): SippRun {
    const dir = mkdtempSync(path.join(this.workDir, 'sipp-'));
    const child = spawn(
      'timeout',
      ['-k', '2', String(seconds), 'sipp', '-sf', path.join(SCENARIOS, scenario), '-nostdin', '-i', LO, '-trace_stat', '-stf', 'stat.csv', '-fd', '1', ...(process.env.BENCH_KEEP ? ['-trace_err', '-trace_msg'] : []), ...args],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.live.add(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const done = new Promise<SippResult>((resolve) => {
      child.once('exit', (code) => {
        this.live.delete(child);
        const r: SippResult = { code, ok: 0, failed: 0, retrans: 0, failures: {}, rtt: [], rttAt: [] };
        const stat = path.join(dir, 'stat.csv');
        if (existsSync(stat)) {
          const lines = readFileSync(stat, 'utf8').trim().split('\n');
          const head = lines[0]!.split(';');
          const last = lines[lines.length - 1]!.split(';');
          const col = (n: string) => Number(last[head.indexOf(n)] ?? 0);
          r.ok = col('SuccessfulCall(C)');
          r.failed = col('FailedCall(C)');
          r.retrans = col('Retransmissions(C)');
          for (const h of head) if (h.startsWith('Failed') && h.endsWith('(C)') && h !== 'FailedCall(C)' && col(h) > 0) r.failures[h.slice(6, -3)] = col(h);
        }
        for (const f of readdirSync(dir)) {
          if (!f.endsWith('_rtt.csv')) continue;
          for (const line of readFileSync(path.join(dir, f), 'utf8').split('\n').slice(1)) {
            const [at, v] = line.split(';').map(Number); // Date_ms;response_time_ms;rtd_no
            if (line && Number.isFinite(v) && Number.isFinite(at)) {
              r.rtt.push(v!);
              r.rttAt.push(at!);
            }
          }
        }
        if (code !== 0 && code !== null && !r.ok && stderr.trim()) process.stderr.write(`sipp ${scenario}: ${stderr.trim().split('\n').slice(-3).join(' | ')}\n`);
        if (process.env.BENCH_KEEP) process.stderr.write(`sipp ${scenario} kept in ${dir}\n`);
        else rmSync(dir, { recursive: true, force: true });
        resolve(r);
      });
    });
    return { done, child };
  }

  /** Kills every SIPp still running (on exit). */
  killAll(): void {
    for (const c of this.live) c.kill('SIGKILL');
  }
}

/** Waits `graceMs` for a run to end by itself, then stops it (`timeout` passes SIGTERM on to sipp). */
export async function stopSipp(run: SippRun, graceMs: number): Promise<SippResult> {
  const r = await Promise.race([run.done, new Promise<null>((res) => setTimeout(() => res(null), graceMs))]);
  if (r) return r;
  run.child.kill('SIGTERM');
  return run.done;
}

export async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, LO, r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
