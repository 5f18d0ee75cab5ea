import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';

/**
 * A port a child process is to listen on, chosen below the kernel's ephemeral range (32768–60999
 * here). A port the kernel hands out (listen on 0, then close) can be taken again by any other
 * test's outgoing connection before the child binds it: CI once failed on exactly that
 * (EADDRINUSE in a role process). Below the range only another explicit bind can take it.
 */
export async function listenPort(kind: 'tcp' | 'udp', host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canBind(kind, port, host)) return port;
  }
  throw new Error('no free port between 20000 and 31999');
}

function canBind(kind: 'tcp' | 'udp', port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    if (kind === 'tcp') {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, host, () => s.close(() => resolve(true)));
    } else {
      const s = dgram.createSocket('udp4');
      s.once('error', () => {
        s.close();
        resolve(false);
      });
      s.bind(port, host, () => s.close(() => resolve(true)));
    }
  });
}

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
