/**
 * Mixing cost (npm run bench:mix): CPU of the ACD's media engine per leg and per call for
 * three-party conferences and monitored calls (two talking, one listening) against plain
 * two-party bridges, at 50 and 200 concurrent calls, in the same run. The media engine runs
 * in a child process (bench/mix-media-child.ts) whose CPU is read with process.cpuUsage();
 * the parties are plain RTP sockets in this process, each sending a 20 ms G.711 tone frame
 * every 20 ms (the first party of each call PCMU, the others PCMA, so mixes re-encode per law).
 * Figures only: nothing here asserts a timing.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { f0, f1, f2, mb } from './figures';
import { openRtpParty, rtpPartyOffer, sendRtpFrame, type RtpParty } from './rtp-party';
import { IpcChild } from './ipc-child';
import { runQueueWaitS } from './proc-stats';
import { PARTIES, type MixChildReply, type MixChildRequest, type MixKind } from './mix-media-child';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WARM_MS = 1500;
const MEASURE_MS = Number(process.env.MIX_BENCH_MEASURE_MS ?? 5000);
const SIZES = (process.env.MIX_BENCH_CALLS ?? '50,200').split(',').map(Number);

interface Row {
  kind: MixKind;
  calls: number;
  legs: number;
  cpuPct: number;
  /** CPU µs per leg per second at 50 packets/s in and 50 out per leg: CPU per packet handled × 100 (a busy machine may run the parties or the engine slower) */
  usPerLegS: number;
  usPerCallS: number;
  /** packets/s per leg the engine received and sent */
  inPps: number;
  outPps: number;
  /** share of the step the engine's main thread waited for a CPU: high = the machine, not the engine, set the pace */
  waitPct: number;
  rss: number;
}

async function scenario(child: IpcChild<MixChildRequest, MixChildReply>, kind: MixKind, calls: number): Promise<Row> {
  const per = PARTIES[kind];
  const parties: RtpParty[] = [];
  for (let i = 0; i < calls * per; i++) parties.push(await openRtpParty(i % per === 0 ? 0 : 8));
  const { answers } = await child.ask({ op: 'setup', kind, calls, offers: parties.map(rtpPartyOffer) }, 'answers', 120_000);
  answers.forEach((sdp, i) => {
    const port = Number(/^m=audio (\d+)/m.exec(sdp)?.[1]);
    const address = /^c=IN IP4 (\S+)/m.exec(sdp)?.[1] ?? '127.0.0.1';
    parties[i]!.target = { port, address };
  });
  // one clock for every party: each sends a frame per 20 ms, against the monotonic clock
  const t0 = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor((performance.now() - t0) / 20);
    for (; sent <= due; sent++) for (const p of parties) sendRtpFrame(p);
  }, 10);
  await sleep(WARM_MS);
  const a = await child.ask({ op: 'cpu' }, 'cpu');
  const q0 = runQueueWaitS(child.pid) ?? NaN;
  const w0 = performance.now();
  await sleep(MEASURE_MS);
  const b = await child.ask({ op: 'cpu' }, 'cpu');
  const wallS = (performance.now() - w0) / 1000;
  const waitPct = (((runQueueWaitS(child.pid) ?? NaN) - q0) / wallS) * 100;
  clearInterval(timer);
  await child.ask({ op: 'teardown' }, 'torn', 60_000);
  await Promise.all(parties.map((p) => new Promise<void>((r) => p.sock.close(() => r()))));
  const cpuUsPerS = (b.userUs + b.systemUs - a.userUs - a.systemUs) / wallS;
  const legs = calls * per;
  const inPps = (b.rtpIn - a.rtpIn) / wallS / legs;
  const outPps = (b.rtpOut - a.rtpOut) / wallS / legs;
  const scale = inPps + outPps > 0 ? 100 / (inPps + outPps) : NaN;
  return { kind, calls, legs, cpuPct: cpuUsPerS / 1e4, waitPct, usPerLegS: (cpuUsPerS / legs) * scale, usPerCallS: (cpuUsPerS / calls) * scale, inPps, outPps, rss: b.rss };
}

const child = new IpcChild<MixChildRequest, MixChildReply>(['--import', 'tsx', path.join(HERE, 'mix-media-child.ts')]);
await child.wait('ready', 30_000);
const rows: Row[] = [];
try {
  for (const calls of SIZES)
    for (const kind of ['bridge', 'conference', 'monitored'] as const) {
      process.stderr.write(`measuring ${calls} ${kind} calls…\n`);
      rows.push(await scenario(child, kind, calls));
    }
} finally {
  await child.stop({ op: 'stop' });
}

process.stdout.write(`\nMixing bench — media engine CPU (1 core = 100 %), ${MEASURE_MS / 1000} s per step, ${f0(50)} packets/s sent per leg\n\n`);
process.stdout.write('kind        calls  legs   cpu %  wait %   in pps/leg  out pps/leg   µs/s per leg*   µs/s per call*   ×bridge per leg   ×bridge per call   rss\n');
for (const r of rows) {
  const base = rows.find((x) => x.kind === 'bridge' && x.calls === r.calls)!;
  process.stdout.write(
    `${r.kind.padEnd(10)}  ${String(r.calls).padStart(5)}  ${String(r.legs).padStart(4)}  ${f1(r.cpuPct).padStart(6)}  ${f0(r.waitPct).padStart(6)}   ${f1(r.inPps).padStart(10)}  ${f1(r.outPps).padStart(11)}   ${f0(r.usPerLegS).padStart(13)}   ${f0(r.usPerCallS).padStart(14)}   ${f2(r.usPerLegS / base.usPerLegS).padStart(15)}   ${f2(r.usPerCallS / base.usPerCallS).padStart(16)}   ${mb(r.rss)}\n`,
  );
}
process.stdout.write('\n* CPU per packet handled (in + out) × 100, i.e. per leg-second at 50 packets/s each way: on a busy machine the parties (this process) or the engine may run slower.\nwait %: time the engine waited for a CPU (run queue); out pps/leg well under 50 means the engine itself was starved — such a row measures the machine.\nA conference leg and a monitored call are the "conference" and "monitored" rows; ×bridge compares with plain two-party bridges of the same run.\n');
