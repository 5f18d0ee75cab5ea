/**
 * The platform under benchmark, as children of the bench on free loopback ports and a scratch
 * PostgreSQL database, their log (stdout, LOG_LEVEL=info by default) appended to one file:
 * - `layout: 'one'` — server/main.ts as `npm start` runs it: ACD, CTI and web in one process;
 * - `layout: 'split'` — three processes, `--role acd`, `--role cti`, `--role web`, as a site runs
 *   them on three machines (docs/deploy.md), so the three parts no longer share one JS thread.
 * The preloaded bench/platform-hook.ts answers stats, latency and profile requests over IPC in
 * each: INVITE latency is taken in the process that runs the ACD, CPU profiles in the one that
 * runs the CTI.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { IpcChild } from './ipc-child';
import type { HookReply, HookRequest, PlatformStats } from './platform-hook';
import { freePort, LO } from './sipp-run';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freeTcpPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, LO, r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export type PlatformLayout = 'one' | 'split';
type PartRole = 'all' | 'acd' | 'cti' | 'web';

export interface PlatformOptions {
  databaseUrl: string;
  dataDir: string;
  logFile: string;
  logLevel?: string;
  /** default: BENCH_LAYOUT, else `one` */
  layout?: PlatformLayout;
}

/** The layout a bench runs unless told otherwise: `BENCH_LAYOUT=split` runs the three roles apart. */
export function layoutFromEnv(): PlatformLayout {
  return process.env.BENCH_LAYOUT === 'split' ? 'split' : 'one';
}

export interface PlatformPart {
  /** what it runs: `all` (one process) or one role */
  role: PartRole;
  proc: IpcChild<HookRequest, HookReply>;
}

export class PlatformProcess {
  private constructor(
    readonly layout: PlatformLayout,
    readonly parts: PlatformPart[],
    readonly httpPort: number,
    readonly sipUdpPort: number,
    readonly logFile: string,
    /** where the ACD's /metrics answers (the web in one process, the ACD's ops port apart), and its token */
    private readonly acdMetrics: { url: string; token: string },
  ) {}

  /**
   * New callers the ACD refused past its capacity so far (503 or its queue's busy message):
   * `patchbay_acd_overload_refused_total` summed over its reasons. SIPp counts a refused caller's
   * call a success (caller-full.xml ACKs the 503 and ends), so the steps subtract these.
   */
  async refusedCallers(): Promise<number> {
    const res = await fetch(this.acdMetrics.url, { headers: { authorization: `Bearer ${this.acdMetrics.token}` } });
    if (!res.ok) throw new Error(`ACD /metrics answered ${res.status}`);
    let n = 0;
    for (const m of (await res.text()).matchAll(/^patchbay_acd_overload_refused_total\{[^}]*\} (\S+)$/gm)) n += Number(m[1]);
    return n;
  }

  get base(): string {
    return `http://${LO}:${this.httpPort}`;
  }

  /** The process that runs the CTI (the one process, or the CTI's). */
  get pid(): number {
    return this.part('cti').proc.pid;
  }

  /** Every process, named for the figures. */
  get pids(): Array<{ name: string; pid: number }> {
    return this.parts.map((p) => ({ name: p.role === 'all' ? 'platform (ACD+CTI+web)' : `${p.role.toUpperCase()} process`, pid: p.proc.pid }));
  }

  private part(role: 'acd' | 'cti'): PlatformPart {
    return this.parts.find((p) => p.role === role || p.role === 'all')!;
  }

  static async start(o: PlatformOptions): Promise<PlatformProcess> {
    if (!existsSync('.next/BUILD_ID')) throw new Error('run `npx next build` first (npm start does it in prestart)');
    const layout = o.layout ?? layoutFromEnv();
    const [httpPort, wsPort, udpPort, ctiPort, opsPort] = [await freeTcpPort(), await freeTcpPort(), await freePort(), await freeTcpPort(), await freeTcpPort()];
    const metricsToken = randomBytes(24).toString('base64url');
    const common: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production' as const,
      NEXT_TELEMETRY_DISABLED: '1',
      LOG_LEVEL: o.logLevel ?? 'info',
      HOST: LO,
      DATABASE_URL: o.databaseUrl,
      SEED_DEMO: 'false',
      METRICS_TOKEN: metricsToken,
    };
    const sip: Record<string, string> = { SIP_WS_PORT: String(wsPort), SIP_UDP_PORT: String(udpPort), SIP_TCP_PORT: '0', SIP_TLS_PORT: '0', SIP_WSS_PORT: '0' };
    // apart, the parts share the secret (the bank's and the devices' credentials) and nothing else
    const secret = process.env.PATCHBAY_SECRET ?? randomBytes(32).toString('base64url');
    const envs: Array<{ role: PartRole; env: NodeJS.ProcessEnv; ready: string }> =
      layout === 'one'
        ? [{ role: 'all', env: { ...common, ...sip, HTTP_PORT: String(httpPort), DATA_DIR: o.dataDir }, ready: `http://${LO}:${httpPort}/api/health` }]
        : [
            { role: 'acd', env: { ...common, ...sip, PATCHBAY_SECRET: secret, ACD_OPS_PORT: String(opsPort), DATA_DIR: path.join(o.dataDir, 'acd') }, ready: `http://${LO}:${opsPort}/api/health/ready` },
            {
              role: 'cti',
              env: { ...common, ...sip, PATCHBAY_SECRET: secret, CTI_PORT: String(ctiPort), ACD_SIP_WS_URL: `ws://${LO}:${wsPort}`, ACD_PUBLIC_HOST: LO, DATA_DIR: path.join(o.dataDir, 'cti') },
              ready: `http://${LO}:${ctiPort}/api/health/ready`,
            },
            { role: 'web', env: { ...common, PATCHBAY_SECRET: secret, HTTP_PORT: String(httpPort), SIP_WS_PORT: String(wsPort), CTI_URL: `http://${LO}:${ctiPort}`, ACD_PUBLIC_HOST: LO, DATA_DIR: path.join(o.dataDir, 'web') }, ready: `http://${LO}:${httpPort}/api/health` },
          ];
    const parts: PlatformPart[] = [];
    const p = new PlatformProcess(layout, parts, httpPort, udpPort, o.logFile, { url: `http://${LO}:${layout === 'one' ? httpPort : opsPort}/metrics`, token: metricsToken });
    // one after the other, as each waits for the one before (the CTI's bank for the ACD)
    for (const e of envs) {
      const log = openSync(o.logFile, 'a');
      const args = ['--import', 'tsx', '--import', path.join(HERE, 'platform-hook.ts'), 'server/main.ts', ...(e.role === 'all' ? [] : ['--role', e.role])];
      const proc = new IpcChild<HookRequest, HookReply>(args, { env: e.env, stdio: ['ignore', log, 'inherit', 'ipc'] });
      closeSync(log);
      parts.push({ role: e.role, proc });
      if (!(await untilOk(e.ready, proc, 120_000))) {
        await p.stop();
        throw new Error(`the ${e.role === 'all' ? 'platform' : e.role} did not start in 120 s (exit ${proc.child.exitCode}); see ${o.logFile}`);
      }
    }
    return p;
  }

  /** CPU and memory: summed over the processes. */
  async stats(): Promise<PlatformStats> {
    const all = await Promise.all(this.parts.map(async (p) => (await p.proc.ask({ op: 'stats' }, 'stats')).stats));
    return all.reduce((a, s) => ({ cpuUserUs: a.cpuUserUs + s.cpuUserUs, cpuSystemUs: a.cpuSystemUs + s.cpuSystemUs, rss: a.rss + s.rss, heapUsed: a.heapUsed + s.heapUsed }));
  }

  latencyOn(): void {
    this.part('acd').proc.send({ op: 'latency', on: true });
  }

  async latencyOff(): Promise<{ samplesMs: number[]; unmatched: number }> {
    return this.part('acd').proc.ask({ op: 'latency', on: false }, 'latency');
  }

  /** A CPU profile of the process that runs the CTI. */
  async profileStart(): Promise<void> {
    await this.part('cti').proc.ask({ op: 'profile', on: true }, 'profile');
  }

  async profileStop(file: string): Promise<void> {
    await this.part('cti').proc.ask({ op: 'profile', on: false, file }, 'profile', 120_000);
  }

  /** Bytes of log written so far. */
  logBytes(): number {
    return existsSync(this.logFile) ? statSync(this.logFile).size : 0;
  }

  /** SIGTERM (the platform's own shutdown), SIGKILL after 20 s: the web, the CTI, then the ACD. */
  async stop(): Promise<void> {
    for (const part of [...this.parts].reverse()) await part.proc.stop(null, 20_000);
  }
}

async function untilOk(url: string, proc: IpcChild<HookRequest, HookReply>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && proc.running) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      /* not up yet */
    }
    await sleep(300);
  }
  return false;
}
