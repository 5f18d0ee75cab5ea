/**
 * The media side of bench/mix-bench.ts, in a process of its own so its CPU is counted apart
 * from the parties': the ACD's embedded media engine with plain RTP endpoints, joined either
 * by two-party bridges or by mixing bridges of three (all talking, or two talking and one
 * listening — a monitored call). No SIP: the bench measures the media path only.
 */
import pino from 'pino';
import type { MediaEndpoint, MediaMix } from '../server/acd/media/media-engine';
import { WeriftMediaEngine } from '../server/acd/media/werift-media-engine';

export type MixKind = 'bridge' | 'conference' | 'monitored';
export type MixChildRequest = { op: 'setup'; kind: MixKind; calls: number; offers: string[] } | { op: 'cpu' } | { op: 'teardown' } | { op: 'stop' };
export type MixChildReply = { op: 'ready' } | { op: 'answers'; answers: string[] } | { op: 'cpu'; userUs: number; systemUs: number; rss: number; rtpIn: number; rtpOut: number } | { op: 'torn' };

export const PARTIES: Record<MixKind, number> = { bridge: 2, conference: 3, monitored: 3 };

const engine = new WeriftMediaEngine(pino({ level: 'silent' }), { rtpPortRange: [52000, 55999], portRange: [56000, 56999], rtpTimeoutSec: 120 });
let endpoints: MediaEndpoint[] = [];
let undo: Array<() => void> = [];

const reply = (m: MixChildReply) => process.send?.(m);

async function setup(kind: MixKind, calls: number, offers: string[]): Promise<string[]> {
  const per = PARTIES[kind];
  const answers: string[] = [];
  for (let i = 0; i < calls * per; i++) {
    const ep = await engine.createEndpoint({ legId: `leg-${i.toString(16).padStart(16, '0')}`, kind: 'rtp' });
    answers.push(await ep.answer(offers[i]!));
    endpoints.push(ep);
  }
  for (let c = 0; c < calls; c++) {
    const [a, b, x] = endpoints.slice(c * per, c * per + per) as [MediaEndpoint, MediaEndpoint, MediaEndpoint | undefined];
    if (kind === 'bridge') {
      const br = engine.bridge(a, b);
      undo.push(() => br.unbridge());
      continue;
    }
    const mix: MediaMix = engine.mix();
    mix.add(a, { mode: 'talk', whisperTo: null });
    mix.add(b, { mode: 'talk', whisperTo: null });
    mix.add(x!, { mode: kind === 'monitored' ? 'listen' : 'talk', whisperTo: null });
    undo.push(() => mix.close());
  }
  return answers;
}

async function teardown(): Promise<void> {
  for (const u of undo.splice(0)) u();
  await Promise.all(endpoints.map((e) => e.close()));
  endpoints = [];
  undo = [];
}

process.on('message', (m: MixChildRequest) => {
  void (async () => {
    if (m.op === 'setup') reply({ op: 'answers', answers: await setup(m.kind, m.calls, m.offers) });
    else if (m.op === 'cpu') {
      const u = process.cpuUsage();
      // packets the engine received from and sent to the parties so far (this step's endpoints)
      let rtpIn = 0;
      let rtpOut = 0;
      for (const e of endpoints) {
        rtpIn += e.rtpReceived;
        rtpOut += engine.endpointOf(e.legId)?.rtpSent ?? 0;
      }
      reply({ op: 'cpu', userUs: u.user, systemUs: u.system, rss: process.memoryUsage().rss, rtpIn, rtpOut });
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
