/**
 * Media engines compared (npm run bench:media): CPU per bridged call and per forwarded packet
 * for the embedded engine (werift; plain RTP legs are Node UDP sockets) and the rtpengine
 * engine (a real rtpengine daemon anchoring each party, handing plain μ-law RTP to the embedded
 * side, which bridges), in the same run. N bridged calls of plain RTP parties (this process),
 * each party sending a 20 ms G.711 frame every 20 ms: one scenario with both parties on PCMU,
 * one with PCMU ↔ PCMA (a transcoded call). CPU is read from /proc for the engine's Node child
 * AND the rtpengine daemon. Figures only: nothing here asserts a timing.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestRtpengineDaemon } from '../server/acd/media/test-rtpengine-daemon';
import { TestBrowserClient } from '../server/acd/media/test-browser-client';
import { f0, f1, f2, mb } from './figures';
import { openRtpParty, rtpPartyOffer, sendRtpFrame, TONE_FRAMES, type RtpParty } from './rtp-party';
import { IpcChild } from './ipc-child';
import type { EngineChildReply, EngineChildRequest } from './media-engine-child';
import { procSample } from './proc-stats';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WARM_MS = 1500;
const MEASURE_MS = Number(process.env.MEDIA_BENCH_MEASURE_MS ?? 8000);
const CALLS = Number(process.env.MEDIA_BENCH_CALLS ?? 50);
/** WebRTC calls: the werift "browsers" run in this process and cost it SRTP too, so fewer */
const WEBRTC_CALLS = Number(process.env.MEDIA_BENCH_WEBRTC_CALLS ?? 10);

interface Row {
  engine: string;
  laws: string;
  calls: number;
  nodePct: number;
  rtpenginePct: number;
  /** packets/s the parties received (forwarded through the engine) */
  forwardedPps: number;
  usPerCallS: number;
  usPerPacket: number;
  rss: number;
}

async function scenario(engine: 'werift' | 'rtpengine', laws: 'PCMU-PCMU' | 'PCMU-PCMA', daemon: TestRtpengineDaemon): Promise<Row> {
  const calls = CALLS;
  const child = new IpcChild<EngineChildRequest, EngineChildReply>(['--import', 'tsx', path.join(HERE, 'media-engine-child.ts'), engine, daemon.ng]);
  await child.wait('ready', 30_000);
  const parties: RtpParty[] = [];
  for (let i = 0; i < CALLS * 2; i++) parties.push(await openRtpParty(i % 2 === 0 || laws === 'PCMU-PCMU' ? 0 : 8));
  try {
    const { answers } = await child.ask({ op: 'setup', kind: 'rtp', offers: parties.map(rtpPartyOffer) }, 'answers', 120_000);
    answers.forEach((sdp, i) => {
      parties[i]!.target = { port: Number(/^m=audio (\d+)/m.exec(sdp)?.[1]), address: /^c=IN IP4 (\S+)/m.exec(sdp)?.[1] ?? '127.0.0.1' };
    });
    const t0 = performance.now();
    let sent = 0;
    const timer = setInterval(() => {
      const due = Math.floor((performance.now() - t0) / 20);
      for (; sent <= due; sent++) for (const p of parties) sendRtpFrame(p);
    }, 10);
    await sleep(WARM_MS);
    const a = await child.ask({ op: 'cpu' }, 'cpu');
    const r0 = procSample(daemon.pid)?.cpuS ?? NaN;
    const got0 = parties.reduce((n, p) => n + p.got, 0);
    const w0 = performance.now();
    await sleep(MEASURE_MS);
    const b = await child.ask({ op: 'cpu' }, 'cpu');
    const r1 = procSample(daemon.pid)?.cpuS ?? NaN;
    const got1 = parties.reduce((n, p) => n + p.got, 0);
    const wallS = (performance.now() - w0) / 1000;
    clearInterval(timer);
    await child.ask({ op: 'teardown' }, 'torn', 60_000);
    const nodeUsPerS = (b.userUs + b.systemUs - a.userUs - a.systemUs) / wallS;
    // the daemon serves only this bench's calls; it idles (≈0) during the embedded engine's runs
    const rtpeUsPerS = engine === 'rtpengine' ? ((r1 - r0) * 1e6) / wallS : 0;
    const forwardedPps = (got1 - got0) / wallS;
    const total = nodeUsPerS + rtpeUsPerS;
    return { engine, laws, calls, nodePct: nodeUsPerS / 1e4, rtpenginePct: rtpeUsPerS / 1e4, forwardedPps, usPerCallS: total / calls, usPerPacket: total / forwardedPps, rss: b.rss };
  } finally {
    await child.stop({ op: 'stop' });
    await Promise.all(parties.map((p) => new Promise<void>((r) => p.sock.close(() => r()))));
  }
}

/** Bridged calls of two werift "browsers" each (ICE, DTLS-SRTP, PCMU), answered by the engine as WebRTC legs. */
async function webrtcScenario(engine: 'werift' | 'rtpengine', daemon: TestRtpengineDaemon): Promise<Row> {
  const calls = WEBRTC_CALLS;
  const child = new IpcChild<EngineChildRequest, EngineChildReply>(['--import', 'tsx', path.join(HERE, 'media-engine-child.ts'), engine, daemon.ng]);
  await child.wait('ready', 30_000);
  const clients = Array.from({ length: calls * 2 }, () => new TestBrowserClient(['PCMU']));
  try {
    const offers: string[] = [];
    for (const c of clients) offers.push(await c.makeOffer());
    const { answers } = await child.ask({ op: 'setup', kind: 'webrtc', offers }, 'answers', 120_000);
    await Promise.all(clients.map((c, i) => c.acceptAnswer(answers[i]!)));
    const up = await Promise.allSettled(clients.map((c) => c.connected(20_000)));
    const failed = up.filter((u) => u.status === 'rejected').length;
    if (failed > 0) process.stderr.write(`  ${failed} of ${clients.length} browsers did not connect\n`);
    const t0 = performance.now();
    let sent = 0;
    const timer = setInterval(() => {
      const due = Math.floor((performance.now() - t0) / 20);
      for (; sent <= due; sent++) for (const c of clients) void c.sendFrame(TONE_FRAMES[0]).catch(() => undefined);
    }, 10);
    const got = () => clients.reduce((n, c) => n + c.received.length, 0);
    await sleep(WARM_MS);
    const a = await child.ask({ op: 'cpu' }, 'cpu');
    const r0 = procSample(daemon.pid)?.cpuS ?? NaN;
    const got0 = got();
    const w0 = performance.now();
    await sleep(MEASURE_MS);
    const b = await child.ask({ op: 'cpu' }, 'cpu');
    const r1 = procSample(daemon.pid)?.cpuS ?? NaN;
    const got1 = got();
    const wallS = (performance.now() - w0) / 1000;
    clearInterval(timer);
    await child.ask({ op: 'teardown' }, 'torn', 60_000);
    const nodeUsPerS = (b.userUs + b.systemUs - a.userUs - a.systemUs) / wallS;
    const rtpeUsPerS = engine === 'rtpengine' ? ((r1 - r0) * 1e6) / wallS : 0;
    const forwardedPps = (got1 - got0) / wallS;
    const total = nodeUsPerS + rtpeUsPerS;
    return { engine, laws: 'WebRTC', calls, nodePct: nodeUsPerS / 1e4, rtpenginePct: rtpeUsPerS / 1e4, forwardedPps, usPerCallS: total / calls, usPerPacket: total / forwardedPps, rss: b.rss };
  } finally {
    await child.stop({ op: 'stop' });
    await Promise.all(clients.map((c) => c.close()));
  }
}

const daemon = await TestRtpengineDaemon.start({ ports: 4 * CALLS * 2 + 100 });
const rows: Row[] = [];
try {
  for (const laws of ['PCMU-PCMU', 'PCMU-PCMA'] as const)
    for (const engine of ['werift', 'rtpengine'] as const) {
      process.stderr.write(`measuring ${CALLS} ${laws} calls on ${engine}…\n`);
      rows.push(await scenario(engine, laws, daemon));
    }
  if (WEBRTC_CALLS > 0)
    for (const engine of ['werift', 'rtpengine'] as const) {
      process.stderr.write(`measuring ${WEBRTC_CALLS} WebRTC calls on ${engine}…\n`);
      rows.push(await webrtcScenario(engine, daemon));
    }
} finally {
  await daemon.stop();
}

const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
process.stdout.write(`\nMedia engines — ${CALLS} bridged calls of plain RTP parties and ${WEBRTC_CALLS} of werift WebRTC peers, 50 packets/s each way per party, ${MEASURE_MS / 1000} s per step (1 core = 100 %), load average ${load}, ${os.cpus().length} cores\n\n`);
process.stdout.write('laws        calls  engine      node %  rtpengine %  forwarded pps   µs/s per call   µs per packet   ×werift per call   node rss\n');
for (const r of rows) {
  const base = rows.find((x) => x.engine === 'werift' && x.laws === r.laws)!;
  process.stdout.write(
    `${r.laws.padEnd(10)}  ${String(r.calls).padStart(5)}  ${r.engine.padEnd(10)}  ${f1(r.nodePct).padStart(6)}  ${f1(r.rtpenginePct).padStart(11)}  ${f0(r.forwardedPps).padStart(13)}   ${f0(r.usPerCallS).padStart(13)}   ${f1(r.usPerPacket).padStart(13)}   ${f2(r.usPerCallS / base.usPerCallS).padStart(16)}   ${mb(r.rss)}\n`,
  );
}
process.stdout.write(`\nforwarded pps: packets the parties received (${CALLS * 2 * 50} expected for plain, ${WEBRTC_CALLS * 2 * 50} for WebRTC). The WebRTC browsers are werift peers in the bench process; their own SRTP is not counted. µs per packet = (node + rtpengine CPU) / forwarded packets. The rtpengine rows pay both processes: rtpengine anchors each party and the embedded side bridges (docs/media.md).\n`);
