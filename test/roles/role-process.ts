import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * One part of the platform (`server/main.ts --role X`) as a child process, exactly as
 * `npm run start:X` starts it, its JSON log read line by line. Killed by its own pid only.
 */
export class RoleProcess {
  private out = '';
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly spawnedAt = Date.now();

  private constructor(
    readonly role: string,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.out += d.toString()));
    this.exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  }

  static spawn(role: string, env: Record<string, string>): RoleProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--role', role], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new RoleProcess(role, child);
  }

  output(): string {
    return this.out;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The log line whose `msg` is `msg`, parsed; waits for it (fails early when the process exits). */
  async logLine(msg: string, timeoutMs: number): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of this.out.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const rec = JSON.parse(line) as Record<string, unknown>;
          if (rec.msg === msg) return rec;
        } catch {
          /* a line still being written */
        }
      }
      if (!this.running) throw new Error(`${this.role} exited before "${msg}":\n${this.out}`);
      if (Date.now() > deadline) throw new Error(`${this.role}: no "${msg}" within ${timeoutMs} ms:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGTERM, then the exit (code, signal and how long it took). */
  async terminate(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
    const t0 = Date.now();
    if (this.running) this.child.kill('SIGTERM');
    const r = await within(this.exited, timeoutMs, () => `${this.role} did not exit within ${timeoutMs} ms of SIGTERM:\n${this.out}`);
    return { ...r, ms: Date.now() - t0 };
  }

  /** The exit, whatever it is (for refusals at boot). */
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exited;
  }

  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

/** `p`, or an error naming what did not happen within `ms` (the timer is cleared either way). */
export async function within<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what())), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
