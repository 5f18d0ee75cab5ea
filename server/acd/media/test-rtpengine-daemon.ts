import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { appendFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { requireTool } from '../../test-support/system-tools';

/**
 * Test and bench helper: a real rtpengine daemon (Debian's rtpengine-daemon, userspace, no
 * kernel table) on loopback, its NG port and its media port range picked below the kernel's
 * ephemeral range (20000–31999) so no other test's outgoing socket takes them. Stopped by
 * its own pid only.
 */
export class TestRtpengineDaemon {
  private stderr = '';
  private constructor(
    private readonly child: ChildProcess,
    readonly ngPort: number,
    readonly portRange: [number, number],
  ) {
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-20_000);
      // the whole log, when debugging a test: RTPENGINE_LOG_FILE=/tmp/x RTPENGINE_LOG_LEVEL=7
      if (process.env.RTPENGINE_LOG_FILE) appendFileSync(process.env.RTPENGINE_LOG_FILE, d);
    });
  }

  get ng(): string {
    return `127.0.0.1:${this.ngPort}`;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** The daemon's last log lines (for a failing test's message). */
  get log(): string {
    return this.stderr;
  }

  static async start(opts: { ports?: number; extraArgs?: string[] } = {}): Promise<TestRtpengineDaemon> {
    const bin = requireTool('rtpengine');
    const size = opts.ports ?? 200;
    for (let attempt = 0; attempt < 20; attempt++) {
      const ngPort = await freeUdpPort();
      const lo = 20_000 + 2 * Math.floor(Math.random() * ((12_000 - size) / 2));
      if (ngPort >= lo && ngPort <= lo + size) continue;
      if (!(await canBind(lo)) || !(await canBind(lo + size - 2))) continue;
      const args = [
        // one address only: the machine's own, which is what a browser on this machine offers
        // as its host candidate (two addresses made rtpengine switch ICE pairs mid-DTLS and
        // the handshake stalled now and then); loopback on a machine without one
        `--interface=${machineAddresses()[0] ?? '127.0.0.1'}`,
        `--listen-ng=127.0.0.1:${ngPort}`,
        // not /etc/rtpengine/rtpengine.conf: its fixed CLI/HTTP ports would collide between daemons
        '--config-file=none',
        '--table=-1',
        '--foreground',
        '--log-stderr',
        `--log-level=${process.env.RTPENGINE_LOG_LEVEL ?? 5}`,
        `--port-min=${lo}`,
        `--port-max=${lo + size - 1}`,
        '--delete-delay=0',
        // one poller per worker thread, so one socket is only ever read by one thread. Without it
        // two threads read the same socket at once and hand a DTLS flight to OpenSSL out of order
        // (a ChangeCipherSpec before the messages it follows); werift's client then retransmits
        // with the same record numbers, which OpenSSL drops as replays, and about one handshake in
        // ten with rtpengine as the DTLS server never completes (docs/media.md, "The DTLS stall").
        '--poller-per-thread',
        ...(opts.extraArgs ?? []),
      ];
      const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      const d = new TestRtpengineDaemon(child, ngPort, [lo, lo + size - 1]);
      if (await d.answersPing()) return d;
      await d.stop();
    }
    throw new Error('rtpengine did not start on any port tried');
  }

  /** Sends a raw NG ping until it pongs (the daemon is up) or 5 s pass. */
  private async answersPing(): Promise<boolean> {
    const s = dgram.createSocket('udp4');
    const exited = new Promise<false>((r) => this.child.once('exit', () => r(false)));
    try {
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
      const pong = new Promise<true>((r) => s.on('message', (m) => m.toString().includes('pong') && r(true)));
      for (let i = 0; i < 50; i++) {
        s.send('probe d7:command4:pinge', this.ngPort, '127.0.0.1');
        const ok = await Promise.race([pong, exited, new Promise<null>((r) => setTimeout(() => r(null), 100))]);
        if (ok !== null) return ok;
      }
      return false;
    } finally {
      s.close();
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
  }
}

async function freeUdpPort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canBind(port)) return port;
  }
  throw new Error('no free UDP port between 20000 and 31999');
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function machineAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && i.family === 'IPv4' && !i.internal)
    .map((i) => i!.address);
}
