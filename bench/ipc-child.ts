/**
 * A bench child process spoken to over IPC: a request names the reply it waits for by `op`,
 * every wait is bounded, and the child is killed if it does not stop by itself.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class IpcChild<Req extends { op: string }, Rep extends { op: string }> {
  private readonly waiting = new Map<string, (m: Rep) => void>();
  readonly child: ChildProcess;

  constructor(args: string[], opts: SpawnOptions = {}) {
    this.child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...opts });
    this.child.on('message', (m: Rep) => {
      const w = this.waiting.get(m.op);
      if (w) {
        this.waiting.delete(m.op);
        w(m);
      }
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The next message with this `op` (at most `timeoutMs`). */
  wait<O extends Rep['op']>(op: O, timeoutMs = 60_000): Promise<Extract<Rep, { op: O }>> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting.delete(op);
        reject(new Error(`child ${this.pid}: no '${op}' reply in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(op, (m) => {
        clearTimeout(t);
        resolve(m as Extract<Rep, { op: O }>);
      });
    });
  }

  ask<O extends Rep['op']>(req: Req, op: O, timeoutMs = 60_000): Promise<Extract<Rep, { op: O }>> {
    const p = this.wait(op, timeoutMs);
    this.child.send(req);
    return p;
  }

  send(req: Req): void {
    if (this.running && this.child.connected) this.child.send(req);
  }

  /** Sends `stopReq` (or SIGTERM), SIGKILL after `graceMs`. */
  async stop(stopReq: Req | null, graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    if (stopReq && this.child.connected) this.child.send(stopReq);
    else this.child.kill('SIGTERM');
    await Promise.race([exited, sleep(graceMs)]);
    if (this.running) {
      this.child.kill('SIGKILL');
      await exited;
    }
  }
}
