/**
 * The ACD under benchmark as a child process (bench/acd-child.ts), driven over IPC, and the
 * SIPp device it dials. Shared by bench/acd-sipp.ts and the ACD-only steps of bench/full-flow.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { issueDeviceCredentials } from '../server/shared/credentials';
import type { ChildMessage, ChildRequest, ChildStats } from './acd-child';
import { freePort, LO, type SippRunner } from './sipp-run';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class AcdProcess {
  private waiting = new Map<string, (m: ChildMessage) => void>();
  ws = 0;
  udp = 0;
  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: ChildMessage) => {
      const w = this.waiting.get(m.op);
      if (w) {
        this.waiting.delete(m.op);
        w(m);
      }
    });
  }

  static async start(opts: { secret: string; number: string; profileDir?: string | undefined }): Promise<AcdProcess> {
    const prof = opts.profileDir ? ['--cpu-prof', '--cpu-prof-dir', opts.profileDir] : [];
    const child = spawn(process.execPath, [...prof, '--expose-gc', '--import', 'tsx', path.join(HERE, 'acd-child.ts')], {
      env: { ...process.env, BENCH_SECRET: opts.secret, BENCH_NUMBER: opts.number },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const p = new AcdProcess(child);
    const ready = await Promise.race([p.wait('ready'), sleep(30_000).then(() => null)]);
    if (!ready || ready.op !== 'ready') {
      child.kill('SIGKILL');
      throw new Error('ACD child did not start in 30 s');
    }
    p.ws = ready.ws;
    p.udp = ready.udp;
    return p;
  }

  private wait(op: ChildMessage['op']): Promise<ChildMessage> {
    return new Promise((resolve) => this.waiting.set(op, resolve));
  }

  private ask(req: ChildRequest, op: ChildMessage['op']): Promise<ChildMessage> {
    const p = this.wait(op);
    this.child.send(req);
    return p;
  }

  async stats(gc = false): Promise<ChildStats> {
    const m = await this.ask({ op: 'stats', gc }, 'stats');
    if (m.op !== 'stats') throw new Error('bad reply');
    return m.stats;
  }

  latencyOn(): void {
    this.child.send({ op: 'latency', on: true } satisfies ChildRequest);
  }

  async latencyOff(): Promise<{ samplesMs: number[]; unmatched: number }> {
    const m = await this.ask({ op: 'latency', on: false }, 'latency');
    if (m.op !== 'latency') throw new Error('bad reply');
    return m;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ op: 'stop' } satisfies ChildRequest);
    await Promise.race([exited, sleep(15_000)]);
    if (this.child.exitCode === null) {
      this.child.kill('SIGKILL');
      await exited;
    }
  }

  /** Waits until the ACD holds no leg (every call of a step released), at most `ms`. */
  async drained(ms: number): Promise<ChildStats> {
    const end = Date.now() + ms;
    let s = await this.stats();
    while (s.legs > 0 && Date.now() < end) {
      await sleep(200);
      s = await this.stats();
    }
    return s;
  }
}

/** A SIPp phone registered with the ACD over UDP; `deviceUas` runs its UAS on the same port. */
export async function registerDevice(sipp: SippRunner, acd: AcdProcess, secret: string): Promise<{ user: string; port: number }> {
  const dev = issueDeviceCredentials(secret, 3600);
  const port = await freePort();
  const r = await sipp.run('device-register.xml', ['-t', 'u1', '-p', String(port), '-s', dev.user, '-au', dev.user, '-ap', dev.password, '-m', '1', `${LO}:${acd.udp}`], 10).done;
  if (r.ok !== 1) throw new Error(`device REGISTER failed (sipp exit ${r.code})`);
  return { user: dev.user, port };
}

export function deviceUas(sipp: SippRunner, port: number, calls: number, seconds: number, echoPort?: number) {
  const media = echoPort ? ['-mp', String(echoPort), '-rtp_echo'] : [];
  return sipp.run('device-uas.xml', ['-t', 'u1', '-p', String(port), '-m', String(calls), '-l', String(calls + 10), '-max_socket', '64', ...media], seconds);
}
