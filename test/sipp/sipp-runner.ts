import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const SCENARIOS = path.dirname(new URL(import.meta.url).pathname);

export interface SippRun {
  /** Resolves with SIPp's exit code (0: every call passed) and its error log, if any. */
  done: Promise<{ code: number | null; errors: string }>;
  child: ChildProcess;
}

const running = new Set<ChildProcess>();

/**
 * Runs one SIPp scenario, always under `timeout` (FACTS.md: an overloaded SIPp once
 * ignored its own -timeout), one call, no stdin, logs in a temporary directory.
 */
export function runSipp(scenario: string, args: string[], seconds = 10): SippRun {
  const dir = mkdtempSync(path.join(tmpdir(), 'pb-sipp-'));
  const child = spawn(
    'timeout',
    ['-k', '2', String(seconds), 'sipp', '-sf', path.join(SCENARIOS, scenario), '-m', '1', '-nostdin', '-trace_err', '-timeout', `${seconds - 1}s`, '-timeout_error', '-max_socket', '10', ...args],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; errors: string }>((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      // SIPp prints progress on stderr; what matters is anything else
      let errors = stderr
        .replace(/^Resolving remote host .*\n?/gm, '')
        // play_pcap_audio announces each pcap it loads (3 lines): information, not errors
        .replace(/^(In pcap .*, npkts \d+|max pkt length \d+|base port \d+)\n?/gm, '')
        .trim();
      for (const f of readdirSync(dir)) if (f.endsWith('errors.log')) errors += readFileSync(path.join(dir, f), 'utf8');
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, errors });
    });
  });
  return { done, child };
}

/** Kills every SIPp this process started and that still runs (by its own pid). */
export function killSipps(): void {
  for (const c of running) if (c.pid) c.kill('SIGKILL');
}

/** A UDP and TCP port free right now on loopback (for SIPp's -p). */
export async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
