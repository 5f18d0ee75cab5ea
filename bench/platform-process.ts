/**
 * The whole platform as `npm start` runs it (server/main.ts: ACD, CTI, web in one process), as a
 * child of the bench on free loopback ports and a scratch PostgreSQL database, its log (stdout,
 * LOG_LEVEL=info by default) written to a file. The preloaded bench/platform-hook.ts answers
 * stats, latency and profile requests over IPC.
 */
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

export interface PlatformOptions {
  databaseUrl: string;
  dataDir: string;
  logFile: string;
  logLevel?: string;
}

export class PlatformProcess {
  private constructor(
    readonly proc: IpcChild<HookRequest, HookReply>,
    readonly httpPort: number,
    readonly sipUdpPort: number,
    readonly logFile: string,
  ) {}

  get base(): string {
    return `http://${LO}:${this.httpPort}`;
  }

  get pid(): number {
    return this.proc.pid;
  }

  static async start(o: PlatformOptions): Promise<PlatformProcess> {
    if (!existsSync('.next/BUILD_ID')) throw new Error('run `npx next build` first (npm start does it in prestart)');
    const [httpPort, wsPort, udpPort] = [await freeTcpPort(), await freeTcpPort(), await freePort()];
    const log = openSync(o.logFile, 'a');
    const proc = new IpcChild<HookRequest, HookReply>(['--import', 'tsx', '--import', path.join(HERE, 'platform-hook.ts'), 'server/main.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        LOG_LEVEL: o.logLevel ?? 'info',
        HOST: LO,
        HTTP_PORT: String(httpPort),
        SIP_WS_PORT: String(wsPort),
        SIP_UDP_PORT: String(udpPort),
        SIP_TCP_PORT: '0',
        SIP_TLS_PORT: '0',
        SIP_WSS_PORT: '0',
        DATA_DIR: o.dataDir,
        DATABASE_URL: o.databaseUrl,
        SEED_DEMO: 'false',
      },
      stdio: ['ignore', log, 'inherit', 'ipc'],
    });
    closeSync(log);
    const p = new PlatformProcess(proc, httpPort, udpPort, o.logFile);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && proc.running) {
      try {
        if ((await fetch(`${p.base}/api/health`)).ok) return p;
      } catch {
        /* not up yet */
      }
      await sleep(300);
    }
    await proc.stop(null, 0);
    throw new Error(`platform did not start in 120 s (exit ${proc.child.exitCode}); see ${o.logFile}`);
  }

  async stats(): Promise<PlatformStats> {
    return (await this.proc.ask({ op: 'stats' }, 'stats')).stats;
  }

  latencyOn(): void {
    this.proc.send({ op: 'latency', on: true });
  }

  async latencyOff(): Promise<{ samplesMs: number[]; unmatched: number }> {
    return this.proc.ask({ op: 'latency', on: false }, 'latency');
  }

  async profileStart(): Promise<void> {
    await this.proc.ask({ op: 'profile', on: true }, 'profile');
  }

  async profileStop(file: string): Promise<void> {
    await this.proc.ask({ op: 'profile', on: false, file }, 'profile', 120_000);
  }

  /** Bytes of log written so far. */
  logBytes(): number {
    return existsSync(this.logFile) ? statSync(this.logFile).size : 0;
  }

  /** SIGTERM (the platform's own shutdown), SIGKILL after 20 s. */
  stop(): Promise<void> {
    return this.proc.stop(null, 20_000);
  }
}
