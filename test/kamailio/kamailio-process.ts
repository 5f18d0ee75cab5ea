import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireTool } from '../../server/test-support/system-tools';

/** The repository's Kamailio config, run as the deployment runs it, with the test's own addresses. */
export const KAMAILIO_CFG = path.resolve('deploy/kamailio/kamailio.cfg');

export interface KamailioOptions {
  listenPort: number;
  /** also listen on TCP on this port (KAM_LISTEN_TCP) */
  tcpPort?: number;
  /** the ACD nodes' UDP SIP ports on loopback */
  nodes: number[];
  pingSec: number;
  frMs: number;
}

/** The -A defines and dispatcher list that put deploy/kamailio/kamailio.cfg on these ports. */
export function kamailioArgs(o: KamailioOptions, dir: string): string[] {
  const list = path.join(dir, 'dispatcher.list');
  // set 1: can serve callers (the route point registered); set 2: alive (deploy/kamailio/dispatcher.list)
  writeFileSync(list, [...o.nodes.map((p) => `1 sip:route@127.0.0.1:${p}\n`), ...o.nodes.map((p) => `2 sip:127.0.0.1:${p}\n`)].join(''));
  const tcp = o.tcpPort ? ['-A', `KAM_LISTEN_TCP=tcp:127.0.0.1:${o.tcpPort}`] : [];
  return ['-f', KAMAILIO_CFG, '-A', `KAM_LISTEN=udp:127.0.0.1:${o.listenPort}`, ...tcp, '-A', `KAM_DS_LIST="${list}"`, '-A', `KAM_PING_SEC=${o.pingSec}`, '-A', `KAM_FR_MS=${o.frMs}`];
}

/** Kamailio in the foreground (-DD -E), its log kept; stopped by its own pid only. */
export class KamailioProcess {
  private out = '';
  private constructor(
    readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    child.stderr?.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stdout?.on('data', (d: Buffer) => (this.out += d.toString()));
  }

  static async start(o: KamailioOptions): Promise<KamailioProcess> {
    const bin = requireTool('kamailio');
    const dir = mkdtempSync(path.join(tmpdir(), 'pb-kamailio-'));
    const child = spawn(bin, ['-DD', '-E', '-m', '512', '-M', '16', '-Y', dir, ...kamailioArgs(o, dir)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const k = new KamailioProcess(child, dir);
    const end = Date.now() + 15_000;
    while (!k.out.includes('SO_RCVBUF is finally')) {
      if (child.exitCode !== null) throw new Error(`kamailio exited ${child.exitCode}:\n${k.out}`);
      if (Date.now() > end) throw new Error(`kamailio did not start:\n${k.out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return k;
  }

  output(): string {
    return this.out;
  }

  /** Where the log is now: `waitFor(…, since)` looks only at what comes after. */
  mark(): number {
    return this.out.length;
  }

  /** Waits for a log line matching `re` (after `since`); resolves with the time it was seen. */
  async waitFor(re: RegExp, timeoutMs: number, since = 0): Promise<number> {
    const end = Date.now() + timeoutMs;
    while (!re.test(this.out.slice(since))) {
      if (Date.now() > end) throw new Error(`kamailio: no ${re} within ${timeoutMs} ms:\n${this.out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return Date.now();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      await Promise.race([once(this.child, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
