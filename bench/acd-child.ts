/**
 * The ACD under benchmark, as a child process of bench/acd-sipp.ts so that the bench's own
 * work (controller, SIPp supervision) does not eat its CPU: a real `Acd` with the real
 * `WeriftMediaEngine`, UDP + WS on loopback ephemeral ports, a dial plan serving one number.
 * Talks to the parent over IPC only (ports, CPU/memory, RTP counters, latency samples).
 *
 * Bench-only latency hook (bench/invite-latency-hook.ts): caller INVITE in → device INVITE out.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import pino from 'pino';
import { Acd } from '../server/acd/acd';
import { EndpointBase } from '../server/acd/media/endpoint-base';
import { WeriftMediaEngine } from '../server/acd/media/werift-media-engine';
import { installInviteLatencyHook } from './invite-latency-hook';

const SECRET = process.env.BENCH_SECRET ?? '';
const NUMBER = process.env.BENCH_NUMBER ?? '';
const DOMAIN = 'patchbay.local';

export type ChildRequest = { op: 'stats'; gc?: boolean } | { op: 'latency'; on: boolean } | { op: 'stop' };
export interface ChildStats {
  cpuUserUs: number;
  cpuSystemUs: number;
  rss: number;
  heapUsed: number;
  legs: number;
  dialogs: number;
  serverTransactions: number;
  clientTransactions: number;
  endpoints: number;
  /** RTP counters summed over live legs, by leg kind. */
  callerRtpIn: number;
  callerRtpOut: number;
  deviceRtpIn: number;
  deviceRtpOut: number;
  /** Datagrams the kernel dropped on this process's UDP sockets (receive buffer full). */
  udpDrops: number;
}
export type ChildMessage = { op: 'ready'; ws: number; udp: number } | { op: 'stats'; stats: ChildStats } | { op: 'latency'; samplesMs: number[]; unmatched: number } | { op: 'stopped' };

const latency = installInviteLatencyHook();

// ── the ACD ──
const logger = pino({ level: process.env.BENCH_ACD_LOG ?? 'warn' }, pino.destination(2));
const media = new WeriftMediaEngine(logger, { rtpAddress: '127.0.0.1', rtpTimeoutSec: 60 });
const acd = new Acd({
  config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, transports: { udpPort: 0 } },
  dialPlan: { lookup: (n) => (n === NUMBER ? { holdAudio: 'default' } : null) },
  media,
  logger,
});

function send(m: ChildMessage): void {
  process.send?.(m);
}

/** Sum of the `drops` column of /proc/net/udp over the sockets this process holds. */
function udpDrops(): number {
  const mine = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) mine.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  let drops = 0;
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length > 12 && mine.has(cols[9]!)) drops += Number(cols[cols.length - 1]);
  }
  return drops;
}

function stats(): ChildStats {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  const s = acd.stats();
  // the live legs' media counters (no public aggregate exists)
  const legs = acd.liveLegs();
  let callerRtpIn = 0;
  let callerRtpOut = 0;
  let deviceRtpIn = 0;
  let deviceRtpOut = 0;
  for (const leg of legs) {
    const ep = leg.endpoint;
    if (!(ep instanceof EndpointBase)) continue; // rtpSent lives on the engine's endpoints
    if (leg.kind === 'caller') {
      callerRtpIn += ep.rtpReceived;
      callerRtpOut += ep.rtpSent;
    } else {
      deviceRtpIn += ep.rtpReceived;
      deviceRtpOut += ep.rtpSent;
    }
  }
  return {
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    legs: s.legs,
    dialogs: s.dialogs,
    serverTransactions: s.serverTransactions,
    clientTransactions: s.clientTransactions,
    endpoints: media.endpointCount,
    callerRtpIn,
    callerRtpOut,
    deviceRtpIn,
    deviceRtpOut,
    udpDrops: udpDrops(),
  };
}

process.on('message', (raw: ChildRequest) => {
  if (raw.op === 'stats') {
    // a full collection first when asked (child runs with --expose-gc) so RSS compares like with like
    if (raw.gc) (globalThis as { gc?: () => void }).gc?.();
    send({ op: 'stats', stats: stats() });
  }
  else if (raw.op === 'latency') {
    if (raw.on) latency.start();
    else send({ op: 'latency', ...latency.stop() });
  } else if (raw.op === 'stop') {
    void (async () => {
      await acd.stop();
      await media.close();
      send({ op: 'stopped' });
      process.disconnect?.();
      // a clean exit lets --cpu-prof write its profile
      setTimeout(() => process.exit(0), 100).unref();
    })();
  }
});
process.on('disconnect', () => setTimeout(() => process.exit(0), 2000).unref());

await acd.start();
send({ op: 'ready', ws: acd.port, udp: acd.ports.UDP ?? 0 });
