/**
 * CPU time and RSS of any process on the machine from /proc/<pid>/stat (the platform child,
 * PostgreSQL backends, SIPp), so every process of a step is measured the same way.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

const CLK_TCK = 100; // getconf CLK_TCK on Linux
const PAGE = 4096; // getconf PAGESIZE

export interface ProcSample {
  /** user + system CPU, seconds */
  cpuS: number;
  rssBytes: number;
}

/** null when the process is gone. */
export function procSample(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the fields after the command name, which is in parentheses and may hold spaces;
    // f[0] is field 3 (state), so utime (14) is f[11], stime (15) f[12], rss (24) f[21]
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { cpuS: (Number(f[11]) + Number(f[12])) / CLK_TCK, rssBytes: Number(f[21]) * PAGE };
  } catch {
    return null;
  }
}

/**
 * Seconds the process's main thread (the JS thread, for Node) spent waiting on a run queue for a
 * CPU (/proc/<pid>/schedstat, second field): high values mean the machine, not the process, set
 * the pace. null when unreadable.
 */
export function runQueueWaitS(pid: number): number | null {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
  } catch {
    return null;
  }
}

export function sampleAll(pids: number[]): Map<number, ProcSample> {
  const m = new Map<number, ProcSample>();
  for (const pid of pids) {
    const s = procSample(pid);
    if (s) m.set(pid, s);
  }
  return m;
}

/** CPU seconds a set of processes used between two samplings (one new in `after` counts from 0; one gone is lost). */
export function cpuDelta(before: Map<number, ProcSample>, after: Map<number, ProcSample>): number {
  let s = 0;
  for (const [pid, a] of after) s += a.cpuS - (before.get(pid)?.cpuS ?? 0);
  return s;
}

export function loadAverage(): string {
  return os.loadavg().map((x) => x.toFixed(2)).join(' ');
}
