import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/** SIPp scenarios of the trunk tests (test/trunks/scenarios). */
export const SCENARIOS = path.join(import.meta.dirname, 'scenarios');

/** A free TCP port on loopback (bound then released; SIPp takes the same number for UDP). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = a && typeof a === 'object' ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface SippRun {
  /** resolves with SIPp's exit code (0 = every call succeeded) and its stderr */
  done: Promise<{ code: number | null; stderr: string; stdout: string }>;
  kill(): void;
}

/**
 * Runs SIPp under `timeout` (FACTS.md: an overloaded SIPp once ignored its own -timeout), with
 * stdin closed and one call.
 */
export function sipp(args: string[], limitSec = 15): SippRun {
  const p = spawn('timeout', [String(limitSec), 'sipp', '-m', '1', '-timeout', `${limitSec - 1}s`, '-nostdin', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const done = new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => p.on('close', (code) => resolve({ code, stderr, stdout })));
  return { done, kill: () => void p.kill('SIGTERM') };
}

/** Resolves once a TCP/UDP listener is up on the port (asked of `ss`, so SIPp never sees a probe). */
export async function listening(port: number, proto: 'tcp' | 'udp' = 'tcp', timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const out = await new Promise<string>((resolve) => {
      const p = spawn('ss', [proto === 'tcp' ? '-ltnH' : '-lunH', `sport = :${port}`], { stdio: ['ignore', 'pipe', 'ignore'] });
      let o = '';
      p.stdout.on('data', (d: Buffer) => (o += d.toString()));
      p.on('close', () => resolve(o));
    });
    if (out.trim()) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
