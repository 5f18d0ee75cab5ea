/**
 * The media side of bench/media-engines.ts, in a process of its own so its CPU is counted apart
 * from the parties': one media engine (argv[2]: werift, or rtpengine at argv[3]) with plain RTP
 * endpoints joined by two-party bridges. No SIP: the bench measures the media path only.
 */
import pino from 'pino';
import type { MediaEndpoint, MediaEngine } from '../server/acd/media/media-engine';
import { RtpengineMediaEngine } from '../server/acd/media/rtpengine/rtpengine-media-engine';
import { WeriftMediaEngine } from '../server/acd/media/werift-media-engine';

export type EngineChildRequest = { op: 'setup'; offers: string[]; kind: 'rtp' | 'webrtc' } | { op: 'cpu' } | { op: 'teardown' } | { op: 'stop' };
export type EngineChildReply = { op: 'ready' } | { op: 'answers'; answers: string[] } | { op: 'cpu'; userUs: number; systemUs: number; rss: number } | { op: 'torn' };

const log = pino({ level: 'silent' });
const kind = process.argv[2];
let engine: MediaEngine;
if (kind === 'rtpengine') {
  // legs: all — the plain rows measure rtpengine anchoring trunks and phones too (the default leaves them to the embedded engine)
  const e = new RtpengineMediaEngine(log, { ng: process.argv[3] ?? '127.0.0.1:22222', rtpTimeoutSec: 120, pollIntervalSec: 5, legs: 'all' });
  await e.start();
  engine = e;
} else {
  engine = new WeriftMediaEngine(log, { rtpTimeoutSec: 120, connectTimeoutSec: 60 });
}
let endpoints: MediaEndpoint[] = [];
let undo: Array<() => void> = [];
const reply = (m: EngineChildReply) => process.send?.(m);

async function setup(offers: string[], legKind: 'rtp' | 'webrtc'): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < offers.length; i++) {
    const ep = await engine.createEndpoint({ legId: `leg-${i.toString(16).padStart(16, '0')}`, kind: legKind });
    answers.push(await ep.answer(offers[i]!));
    endpoints.push(ep);
  }
  for (let c = 0; c + 1 < endpoints.length; c += 2) {
    const br = engine.bridge(endpoints[c]!, endpoints[c + 1]!);
    undo.push(() => br.unbridge());
  }
  return answers;
}

async function teardown(): Promise<void> {
  for (const u of undo.splice(0)) u();
  await Promise.all(endpoints.map((e) => e.close()));
  endpoints = [];
}

process.on('message', (m: EngineChildRequest) => {
  void (async () => {
    if (m.op === 'setup') reply({ op: 'answers', answers: await setup(m.offers, m.kind) });
    else if (m.op === 'cpu') {
      const u = process.cpuUsage();
      reply({ op: 'cpu', userUs: u.user, systemUs: u.system, rss: process.memoryUsage().rss });
    } else if (m.op === 'teardown') {
      await teardown();
      reply({ op: 'torn' });
    } else if (m.op === 'stop') {
      await teardown();
      await engine.close();
      process.exit(0);
    }
  })();
});
reply({ op: 'ready' });
