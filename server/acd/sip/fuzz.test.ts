import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Acd } from '../acd';
import { SipMutator } from '../test-support/sip-mutator';
import { TEST_SDP, TestMediaEngine } from '../test-support/test-media-engine';
import { makeResponse } from './builders';
import { canonicalName, parseCSeq, parseNameAddr, parseParamsStrict, parseUri, parseVia, unescapeUri } from './headers';
import { frameStream, parseMessage, type ParseResult } from './parser';
import { serialize } from './serializer';

/**
 * Bounded fuzz test of the SIP parser. Mutants of real messages (the RFC 4475 fixtures and
 * sip.js/JsSIP-shaped traffic as the ACD sees it) must never throw, never take long, and
 * always come out as a message or a reasoned refusal. Then a few hundred mutants go to a
 * live ACD, which must still answer OPTIONS and hold nothing afterwards.
 *
 * Reproduce or explore: SIP_FUZZ_SEED=<n> (or `random`), SIP_FUZZ_CASES=<n>, SIP_FUZZ_MS=<n>.
 */

const seedEnv = process.env.SIP_FUZZ_SEED;
const SEED = seedEnv === 'random' ? Math.floor(Math.random() * 2 ** 32) : seedEnv ? Number(seedEnv) : 0x4475_3261;
const MAX_CASES = Number(process.env.SIP_FUZZ_CASES ?? 20_000);
const MAX_MS = Number(process.env.SIP_FUZZ_MS ?? 5_000);
/**
 * One parse must stay under this. A case over it is timed again (best of three): a GC pause
 * or a descheduled test worker on a shared 2-core box does not repeat, a slow algorithm does.
 * It guards the order of growth, not speed: a quadratic scan of the 60 KB inputs below takes
 * seconds, while a linear parse of the worst of them took 1–6 ms of CPU here (5.5 ms for a
 * 'huge-value' mutant of folded lines, in a clean-clone run beside other work — over the 5 ms
 * bound this once had).
 */
const PER_MESSAGE_BOUND_MS = 25;
const log = pino({ level: process.env.SIP_FUZZ_LOG ?? 'info' }).child({ part: 'sip-fuzz' });

const crlf = (lines: string[]): string => lines.join('\r\n');
const WEBRTC_SDP = crlf([
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=msid-semantic: WMS',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 126',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=candidate:1 1 udp 2122260223 192.0.2.2 50123 typ host generation 0',
  'a=ice-ufrag:Zx8a',
  'a=ice-pwd:4ZcL9wTPeUd8gXqoHcHdFGrq',
  'a=fingerprint:sha-256 6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CC:87:32:BE:DD:8C:66:A5:8E:50:55:EA:8C:D3:B6:5C:09:5E:D6:BC',
  'a=setup:actpass',
  'a=mid:0',
  'a=sendrecv',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:126 telephone-event/8000',
  '',
]);

/** Traffic shaped like what sip.js (caller page, devices) and JsSIP (the CTI bank) send. */
const REAL: string[] = [
  crlf([
    'INVITE sip:+15550100@patchbay.local SIP/2.0',
    'Via: SIP/2.0/WSS 4nq2k1hh3d5o.invalid;branch=z9hG4bK6180137',
    'To: <sip:+15550100@patchbay.local>',
    'From: "Caller Ünïcödé" <sip:caller-7f3a@patchbay.local>;tag=0ra6rh7bsi',
    'CSeq: 2 INVITE',
    'Call-ID: k4fhbj6cmmrq0p9s8brq',
    'Max-Forwards: 70',
    'Contact: <sip:vl2ghc6u@4nq2k1hh3d5o.invalid;transport=ws;ob>',
    'Allow: ACK,CANCEL,INVITE,MESSAGE,BYE,OPTIONS,INFO,NOTIFY,REFER',
    'Supported: outbound',
    'User-Agent: SIP.js/0.21.2',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(WEBRTC_SDP)}`,
    '',
    WEBRTC_SDP,
  ]),
  crlf([
    'REGISTER sip:patchbay.local SIP/2.0',
    'Via: SIP/2.0/WSS 7ab2cde9.invalid;branch=z9hG4bK8273361;rport',
    'Max-Forwards: 69',
    'To: <sip:route@patchbay.local>',
    'From: <sip:route@patchbay.local>;tag=l9r3c2fb1k',
    'Call-ID: 0b7qgrl1ad2h1ik5mrjfu3',
    'CSeq: 2 REGISTER',
    'Authorization: Digest algorithm=MD5, username="bank-1", realm="patchbay.local", nonce="5f1c2e3d4b", uri="sip:patchbay.local", response="0d1f7c0e6a2b", qop=auth, cnonce="tq0b6k9n", nc=00000001',
    'Contact: <sip:5mhhvbrv@7ab2cde9.invalid;transport=ws>;+sip.ice;reg-id=1;+sip.instance="<urn:uuid:5c1d2e8b-2f7a-4e44-8d6f-0a9e4c3b2a10>";expires=600',
    'Expires: 600',
    'Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY',
    'Supported: path,gruu,outbound',
    'User-Agent: JsSIP 3.13.8',
    'Content-Length: 0',
    '',
    '',
  ]),
  crlf([
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bKa1b2c3d4e5;rport=51000;received=127.0.0.1',
    'Record-Route: <sip:127.0.0.1:5066;transport=ws;lr>, <sip:[2001:db8::1]:5060;lr>',
    'To: <sip:dev-1a2b@patchbay.local>;tag=8r1ibm0a7v',
    'From: "Patchbay" <sip:acd@patchbay.local>;tag=c0ffee',
    'Call-ID: 3f1e2d3c4b5a@patchbay.local',
    'CSeq: 1 INVITE',
    'Contact: <sip:abcd1234@efgh5678.invalid;transport=ws>',
    'Supported: outbound',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(WEBRTC_SDP)}`,
    '',
    WEBRTC_SDP,
  ]),
  crlf([
    'SIP/2.0 401 Unauthorized',
    'Via: SIP/2.0/WSS 7ab2cde9.invalid;branch=z9hG4bK8273361;rport=40000;received=127.0.0.1',
    'To: <sip:route@patchbay.local>;tag=acd123',
    'From: <sip:route@patchbay.local>;tag=l9r3c2fb1k',
    'Call-ID: 0b7qgrl1ad2h1ik5mrjfu3',
    'CSeq: 1 REGISTER',
    'WWW-Authenticate: Digest realm="patchbay.local", nonce="5f1c2e3d4b", qop="auth", algorithm=MD5',
    'Content-Length: 0',
    '',
    '',
  ]),
  crlf([
    'BYE sip:abcd1234@efgh5678.invalid;transport=ws SIP/2.0',
    'Via: SIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bK77',
    'Max-Forwards: 70',
    'To: <sip:dev-1a2b@patchbay.local>;tag=8r1ibm0a7v',
    'From: "Patchbay" <sip:acd@patchbay.local>;tag=c0ffee',
    'Call-ID: 3f1e2d3c4b5a@patchbay.local',
    'CSeq: 2 BYE',
    'X-PB-Leg: leg-0123456789abcdef',
    'Reason: SIP;cause=200;text="Call completed elsewhere"',
    'Content-Length: 0',
    '',
    '',
  ]),
  crlf([
    'CANCEL sip:+15550100@patchbay.local SIP/2.0',
    'v: SIP/2.0/WSS 4nq2k1hh3d5o.invalid;branch=z9hG4bK6180137',
    't: <sip:+15550100@patchbay.local>',
    'f: "Caller" <sip:caller-7f3a@patchbay.local>;tag=0ra6rh7bsi',
    'CSeq: 2 CANCEL',
    'i: k4fhbj6cmmrq0p9s8brq',
    'Max-Forwards: 70',
    'l: 0',
    '',
    '',
  ]),
];

const tortureDir = fileURLToPath(new URL('./torture/', import.meta.url));
const corpus: Buffer[] = [
  ...REAL.map((s) => Buffer.from(s, 'utf8')),
  ...readdirSync(tortureDir)
    .filter((f) => f.endsWith('.dat'))
    .sort()
    .map((f) => readFileSync(tortureDir + f)),
];

/**
 * The best of three runs of `f`, in CPU milliseconds of this process: a slow parse is re-timed by
 * the CPU it used, not by the wall clock, which also counts the time a loaded machine kept this
 * process waiting for a core (seen: 7 ms wall for a 0.5 ms parse with the other core busy).
 */
function bestCpuOf3(f: () => unknown): number {
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t0 = process.cpuUsage();
    f();
    const used = process.cpuUsage(t0);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

/** Everything the ACD does with a parse result must hold for every mutant. */
function checkResult(r: ParseResult): void {
  expect(typeof r.ok).toBe('boolean');
  if (!r.ok) {
    expect(typeof r.reason).toBe('string');
    expect(r.reason.length).toBeGreaterThan(0);
    expect(r.reason).not.toMatch(/^internal parser error/);
    expect(r.reason).not.toMatch(/[\r\n]/); // it becomes a reason phrase
    if (r.status !== undefined) expect(r.status >= 400 && r.status <= 699).toBe(true);
    if (r.request) {
      // the ACD answers it: the answer must build and serialize
      const res = serialize(makeResponse(r.request, r.status ?? 400, { reason: r.reason }));
      expect(res.startsWith('SIP/2.0 ')).toBe(true);
    }
    return;
  }
  const m = r.message;
  for (const v of m.headers.getAll('Via')) expect(parseVia(v)).not.toBeNull();
  expect(parseNameAddr(m.headers.get('From')!)).not.toBeNull();
  expect(parseNameAddr(m.headers.get('To')!)).not.toBeNull();
  expect(parseCSeq(m.headers.get('CSeq')!)).not.toBeNull();
  if (m.kind === 'request') expect(parseUri(m.uri)).not.toBeNull();
  // what we accept, we can write and read back
  const again = parseMessage(serialize(m));
  if (!again.ok) throw new Error(`accepted message does not survive a round trip: ${again.reason}`);
}

describe('SIP parser fuzz', () => {
  it(`survives mutants of real messages (seed ${SEED})`, () => {
    const mutator = new SipMutator(SEED, corpus);
    const times: number[] = [];
    const outcomes = new Map<string, number>();
    const started = performance.now();
    let n = 0;
    let retimed = 0;
    let worstStable = 0;
    for (; n < MAX_CASES && performance.now() - started < MAX_MS; n++) {
      const { bytes, ops } = mutator.next();
      try {
        const t0 = performance.now();
        const r = parseMessage(bytes);
        const dt = performance.now() - t0;
        times.push(dt);
        if (dt > PER_MESSAGE_BOUND_MS) {
          const again = bestCpuOf3(() => parseMessage(bytes));
          retimed++;
          worstStable = Math.max(worstStable, again);
          expect(again, `parse took ${dt.toFixed(2)} ms, then ${again.toFixed(2)} ms of CPU`).toBeLessThan(PER_MESSAGE_BOUND_MS);
        }
        checkResult(r);
        const key = r.ok ? `ok ${r.message.kind}` : r.request ? `answer ${r.status ?? 400}` : 'drop';
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        // the stream framer sees the same bytes on TCP/TLS
        const f = frameStream(bytes);
        if (f.kind === 'message') checkResult(parseMessage(bytes.subarray(0, f.length), { datagram: false }));
      } catch (err) {
        throw new Error(`fuzz failure: SIP_FUZZ_SEED=${SEED} case=${n} ops=${ops.join(',')} bytes=${bytes.subarray(0, 300).toString('base64')}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    times.sort((a, b) => a - b);
    const max = times[times.length - 1] ?? 0;
    const p99 = times[Math.floor(times.length * 0.99)] ?? 0;
    const median = times[Math.floor(times.length / 2)] ?? 0;
    log.info(
      { seed: SEED, cases: n, medianMs: +median.toFixed(4), p99Ms: +p99.toFixed(3), maxMs: +max.toFixed(3), retimed, worstRetimedMs: +worstStable.toFixed(3), outcomes: Object.fromEntries(outcomes) },
      'sip parser fuzz',
    );
    expect(n).toBeGreaterThan(500);
  });

  it('header helpers never throw on mutated header values', () => {
    const mutator = new SipMutator(SEED ^ 0x1234_5678, corpus);
    const started = performance.now();
    let values = 0;
    let worst = 0;
    for (let n = 0; n < 3000 && performance.now() - started < 2000; n++) {
      const { bytes, ops } = mutator.next();
      for (const line of bytes.toString('utf8').split('\n')) {
        const colon = line.indexOf(':');
        const name = colon > 0 ? line.slice(0, colon) : line;
        const value = colon > 0 ? line.slice(colon + 1) : line;
        try {
          const t0 = performance.now();
          canonicalName(name);
          parseUri(value);
          parseUri(value.trim().replace(/^<|>$/g, ''));
          parseNameAddr(value);
          parseVia(value);
          parseCSeq(value);
          parseParamsStrict(value);
          unescapeUri(value);
          worst = Math.max(worst, performance.now() - t0);
          values++;
        } catch (err) {
          throw new Error(`helper failure: SIP_FUZZ_SEED=${SEED} case=${n} ops=${ops.join(',')} value=${JSON.stringify(value.slice(0, 200))}: ${String(err)}`);
        }
      }
    }
    log.info({ seed: SEED, values, worstMs: +worst.toFixed(3) }, 'sip header helpers fuzz');
    expect(values).toBeGreaterThan(1000);
  });

  it('stays linear on pathological inputs aimed at each scanner', () => {
    const head = (extra: string): string =>
      `OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/WS h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n${extra}\r\n\r\n`;
    const big = 60_000;
    const inputs = [
      head(`Contact: ${'"\\'.repeat(big / 2)}`),
      head(`Contact: <${'sip:'.repeat(big / 4)}`),
      head(`Via: SIP/2.0/UDP h${';'.repeat(big)}`),
      head(`Via: ${'SIP / 2.0 / UDP h ,'.repeat(big / 19)}`),
      head(`To: ${' '.repeat(big)}x`),
      head(`CSeq: ${'9'.repeat(big)} OPTIONS`),
      head(`Date: ${'Mon, '.repeat(big / 5)}`),
      head(`X: ${'\r\n '.repeat(big / 3)}`),
      head(`Route: ${'<sip:a@b>,'.repeat(big / 10)}`),
      `${'OPTIONS '.repeat(big / 8)}sip:a@b SIP/2.0\r\n\r\n`,
      `SIP/2.0 200 ${'x'.repeat(big)}\r\n\r\n`,
      '\r\n'.repeat(big / 2),
      `OPTIONS sip:${'%'.repeat(big)}@b SIP/2.0\r\n\r\n`,
      `OPTIONS sip:a@[${':'.repeat(big)}] SIP/2.0\r\n\r\n`,
      head(`From: ${'a '.repeat(big / 2)}<sip:a@b>`),
    ];
    const worst: number[] = [];
    for (const text of inputs) {
      checkResult(parseMessage(text));
      const dt = bestCpuOf3(() => parseMessage(text));
      worst.push(dt);
      expect(dt, `${JSON.stringify(text.slice(0, 40))}… took ${dt} ms of CPU`).toBeLessThan(PER_MESSAGE_BOUND_MS);
    }
    log.info({ inputs: inputs.length, bytes: big, worstMs: +Math.max(...worst).toFixed(3) }, 'sip parser pathological inputs');
  });
});

/** The ACD's state sizes (legs, dialogs, dials, transactions): all must return to baseline. */
function footprint(acd: Acd): Record<string, number> {
  return acd.stats();
}

describe('SIP parser fuzz: a live ACD', () => {
  const NUMBER = '+15550100';
  let acd: Acd;

  beforeAll(async () => {
    acd = new Acd({
      config: {
        host: '127.0.0.1',
        port: 0,
        domain: 'patchbay.local',
        secret: 'fuzz-secret-'.padEnd(40, 'x'),
        ringTimeoutDefaultSec: 2,
        timers: { ackTimeoutMs: 200, routeRetryMs: 20, routeRetryLimit: 1, transactionTimeoutMs: 300, authFailBurst: 100_000, authFailRefillPerSec: 1000 },
      },
      dialPlan: { lookup: (n) => (n === NUMBER ? { holdAudio: 'queue-music' } : null) },
      media: new TestMediaEngine(),
      logger: pino({ level: process.env.ACD_TEST_LOG ?? 'silent' }),
    });
    await acd.start();
  });

  afterAll(async () => {
    await acd?.stop();
  });

  const open = async (): Promise<{ ws: WebSocket; frames: string[] }> => {
    const ws = new WebSocket(`ws://127.0.0.1:${acd.port}`, 'sip');
    const frames: string[] = [];
    ws.on('message', (d: Buffer) => frames.push(d.toString('utf8')));
    ws.on('error', () => {}); // an oversized frame makes the server close us: that is expected
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return { ws, frames };
  };
  const close = (ws: WebSocket): Promise<void> =>
    new Promise((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      ws.once('close', () => resolve());
      ws.close();
    });

  async function optionsOk(c: { ws: WebSocket; frames: string[] }): Promise<boolean> {
    const callId = `probe-${Math.random().toString(36).slice(2)}`;
    c.ws.send(
      `OPTIONS sip:acd@patchbay.local SIP/2.0\r\nVia: SIP/2.0/WS probe.invalid;branch=z9hG4bK${callId}\r\nMax-Forwards: 70\r\nFrom: <sip:probe@patchbay.local>;tag=1\r\nTo: <sip:acd@patchbay.local>\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
    );
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      if (c.frames.some((f) => f.startsWith('SIP/2.0 200') && f.includes(`Call-ID: ${callId}`))) return true;
      await new Promise((r) => setTimeout(r, 10));
    }
    return false;
  }

  it('answers OPTIONS and returns to its baseline after a few hundred mutants', async () => {
    const live = [
      ...corpus.slice(0, REAL.length),
      // an INVITE to a served number: its mutants can create caller legs, which must all go away
      Buffer.from(
        crlf([
          `INVITE sip:${NUMBER}@patchbay.local SIP/2.0`,
          'Via: SIP/2.0/WS fz.invalid;branch=z9hG4bKfuzz1;rport',
          'Max-Forwards: 70',
          `To: <sip:${NUMBER}@patchbay.local>`,
          'From: "Fuzz" <sip:fuzz@callers.invalid>;tag=fz1',
          'Call-ID: fuzz-invite-1',
          'CSeq: 1 INVITE',
          'Contact: <sip:fuzz@fz.invalid;transport=ws>',
          'Content-Type: application/sdp',
          `Content-Length: ${Buffer.byteLength(TEST_SDP)}`,
          '',
          TEST_SDP,
        ]),
      ),
    ];
    const baseline = footprint(acd);
    const mutator = new SipMutator(SEED ^ 0x5a5a5a5a, live);
    let c = await open();
    let sent = 0;
    let reconnects = 0;
    for (let k = 0; k < 300; k++) {
      if (c.ws.readyState !== WebSocket.OPEN) {
        await close(c.ws);
        c = await open();
        reconnects++;
      }
      c.ws.send(mutator.next().bytes, { binary: true });
      sent++;
      if (k % 50 === 49) await new Promise((r) => setTimeout(r, 20)); // let the ACD breathe, as a real peer would
    }
    if (c.ws.readyState !== WebSocket.OPEN) {
      await close(c.ws);
      c = await open();
    }
    expect(await optionsOk(c)).toBe(true);
    // caller legs end by Timer H (no ACK) or no-controller; transactions linger for their ACK
    const deadline = Date.now() + 5000;
    let now = footprint(acd);
    while (JSON.stringify(now) !== JSON.stringify(baseline) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      now = footprint(acd);
    }
    log.info({ sent, reconnects, baseline, after: now }, 'live ACD fuzz');
    expect(now).toEqual(baseline);
    await close(c.ws);
    const fresh = await open();
    expect(await optionsOk(fresh)).toBe(true);
    await close(fresh.ws);
  });
});
