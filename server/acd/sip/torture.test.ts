import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Acd } from '../acd';
import WebSocket from 'ws';
import { TestMediaEngine } from '../test-support/test-media-engine';
import { parseNameAddr, parseUri } from './headers';
import type { SipRequest } from './message';
import { parseMessage } from './parser';

/**
 * RFC 4475 torture messages (bit-exact fixtures in ./torture, see docs/sip-parser.md).
 * Part 1: what the parser makes of each. Part 2: each one sent to a real ACD over a
 * WebSocket, checking the answer (or the silence) and that the ACD still works after.
 */

const dir = fileURLToPath(new URL('./torture/', import.meta.url));
const fixture = (name: string): Buffer => readFileSync(`${dir}${name}.dat`);

type Expect =
  | { parse: 'ok'; kind: 'request' | 'response' }
  | { parse: 'error'; reason: string; status?: number; answer: boolean };

/** The outcome table (docs/sip-parser.md repeats it with the RFC's expectation beside each). */
const TABLE: Record<string, Expect> = {
  // §3.1.1 valid messages
  wsinv: { parse: 'ok', kind: 'request' },
  intmeth: { parse: 'ok', kind: 'request' },
  esc01: { parse: 'ok', kind: 'request' },
  escnull: { parse: 'ok', kind: 'request' },
  esc02: { parse: 'ok', kind: 'request' },
  lwsdisp: { parse: 'ok', kind: 'request' },
  longreq: { parse: 'ok', kind: 'request' },
  dblreq: { parse: 'ok', kind: 'request' },
  semiuri: { parse: 'ok', kind: 'request' },
  transports: { parse: 'ok', kind: 'request' },
  mpart01: { parse: 'ok', kind: 'request' },
  unreason: { parse: 'ok', kind: 'response' },
  noreason: { parse: 'ok', kind: 'response' },
  // §3.1.2 invalid messages
  badinv01: { parse: 'error', reason: 'malformed Via', answer: false },
  clerr: { parse: 'error', reason: 'body shorter than Content-Length', answer: true },
  ncl: { parse: 'error', reason: 'bad Content-Length', answer: true },
  scalar02: { parse: 'error', reason: 'malformed CSeq', answer: true },
  scalarlg: { parse: 'error', reason: 'malformed CSeq', answer: false },
  quotbal: { parse: 'error', reason: 'malformed To', answer: true },
  ltgtruri: { parse: 'error', reason: 'bad request line', answer: true },
  lwsruri: { parse: 'error', reason: 'bad request line', answer: true },
  lwsstart: { parse: 'error', reason: 'bad request line', answer: true },
  trws: { parse: 'error', reason: 'bad request line', answer: true },
  escruri: { parse: 'error', reason: 'Request-URI with headers', answer: true },
  baddate: { parse: 'error', reason: 'malformed Date', answer: true },
  regbadct: { parse: 'error', reason: 'malformed Contact', answer: true },
  badaspec: { parse: 'error', reason: 'malformed To', answer: true },
  baddn: { parse: 'error', reason: 'malformed From', answer: true },
  badvers: { parse: 'error', reason: 'Version Not Supported', status: 505, answer: true },
  mismatch01: { parse: 'error', reason: 'CSeq method does not match', answer: true },
  mismatch02: { parse: 'error', reason: 'CSeq method does not match', answer: true },
  bigcode: { parse: 'error', reason: 'bad status line', answer: false },
  // §3.2 transaction layer
  badbranch: { parse: 'error', reason: 'malformed Via branch', answer: true },
  // §3.3 application layer
  insuf: { parse: 'error', reason: 'missing From', answer: false },
  unkscm: { parse: 'error', reason: 'Unsupported URI Scheme', status: 416, answer: true },
  novelsc: { parse: 'error', reason: 'Unsupported URI Scheme', status: 416, answer: true },
  unksm2: { parse: 'ok', kind: 'request' },
  bext01: { parse: 'ok', kind: 'request' },
  invut: { parse: 'ok', kind: 'request' },
  regaut01: { parse: 'ok', kind: 'request' },
  multi01: { parse: 'error', reason: 'duplicate From', answer: true },
  mcl01: { parse: 'error', reason: 'duplicate Content-Length', answer: true },
  bcast: { parse: 'ok', kind: 'response' },
  zeromf: { parse: 'ok', kind: 'request' },
  cparam01: { parse: 'ok', kind: 'request' },
  cparam02: { parse: 'ok', kind: 'request' },
  regescrt: { parse: 'ok', kind: 'request' },
  sdp01: { parse: 'ok', kind: 'request' },
  inv2543: { parse: 'ok', kind: 'request' },
  // in the RFC's archive but not described in the text: no SIP-Version, a header line without a colon
  test: { parse: 'error', reason: 'malformed header line', answer: false },
};

/** What the ACD answers to each valid request (its own policy, documented in docs/sip-parser.md). */
const ACD_ANSWER: Record<string, number> = {
  wsinv: 481, // its To has a tag: an in-dialog INVITE for no dialog
  intmeth: 501, // unknown method
  esc01: 404,
  escnull: 401, // REGISTER: digest challenge
  esc02: 501, // RE%47IST%45R is not REGISTER
  lwsdisp: 200, // OPTIONS
  longreq: 404,
  dblreq: 401, // the REGISTER; the trailing INVITE in the datagram is discarded
  semiuri: 200,
  transports: 200,
  mpart01: 501, // MESSAGE is not supported
  unksm2: 400, // REGISTER with an isbn: To: the registrar answers 400 Bad To (RFC 4475 suggests 416)
  bext01: 420, // Require names an extension the ACD does not support (RFC 3261 §8.2.2.3)
  invut: 404,
  regaut01: 401, // unknown auth scheme → challenged
  zeromf: 483, // Max-Forwards 0
  cparam01: 401,
  cparam02: 401,
  regescrt: 401,
  sdp01: 404,
  inv2543: 400, // no Contact in the INVITE
};

describe('RFC 4475 torture messages: parser', () => {
  it('has a fixture for every row and a row for every fixture', () => {
    expect(Object.keys(TABLE)).toHaveLength(50);
    for (const name of Object.keys(TABLE)) expect(fixture(name).length).toBeGreaterThan(100);
  });

  it.each(Object.entries(TABLE))('%s', (name, want) => {
    const r = parseMessage(fixture(name));
    if (want.parse === 'ok') {
      if (!r.ok) throw new Error(`${name}: ${r.reason}`);
      expect(r.message.kind).toBe(want.kind);
    } else {
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.reason).toBe(want.reason);
      expect(r.status ?? 400).toBe(want.status ?? 400);
      expect(r.request !== null).toBe(want.answer);
    }
  });

  const req = (name: string): SipRequest => {
    const r = parseMessage(fixture(name));
    if (!r.ok || r.message.kind !== 'request') throw new Error(`${name} did not parse as a request`);
    return r.message;
  };

  it('wsinv: folding, compact forms, odd spacing, escaped quotes', () => {
    const m = req('wsinv');
    expect(m.headers.getAll('Via')).toHaveLength(3);
    expect(m.headers.get('Max-Forwards')).toBe('0068');
    expect(m.headers.get('CSeq')).toBe('0009 INVITE');
    expect(m.headers.get('NewFangledHeader')).toBe('newfangled value continued newfangled value');
    expect(parseNameAddr(m.headers.get('From')!)).toMatchObject({ display: 'J Rosenberg \\"', uri: 'sip:jdrosen@example.com' });
    expect(parseNameAddr(m.headers.get('From')!)!.params.get('tag')).toBe('98asjd8');
    expect(parseNameAddr(m.headers.get('To')!)!.params.get('tag')).toBe('1918181833n');
    const contact = parseNameAddr(m.headers.get('Contact')!)!;
    expect(contact.display).toBe('Quoted string ""');
    expect(contact.params.get('newparam')).toBe('newvalue');
    expect(contact.params.get('q')).toBe('0.33');
    expect(Buffer.byteLength(m.body)).toBe(150);
  });

  it('intmeth: unusual but legal method, URI and header characters', () => {
    const m = req('intmeth');
    expect(m.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    expect(parseNameAddr(m.headers.get('To')!)!.display).toBe('BEL:\x07 NUL:\x00 DEL:\x7f');
    expect(parseUri(m.uri)!.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  });

  it('esc01 / escnull / semiuri: escapes in user parts are decoded', () => {
    expect(parseUri(req('esc01').uri)!.user).toBe('sips:user@example.com');
    expect(parseUri(parseNameAddr(req('esc01').headers.get('From')!)!.uri)!.user).toBe('I have spaces');
    const nul = req('escnull');
    expect(nul.headers.getAll('Contact').map((c) => parseUri(parseNameAddr(c)!.uri)!.user)).toEqual(['\0', '\0\0']);
    expect(parseUri(req('semiuri').uri)!.user).toBe('user;par=u@example.net');
  });

  it('esc02: % is not an escape in a method or a header name', () => {
    const m = req('esc02');
    expect(m.method).toBe('RE%47IST%45R');
    expect(m.headers.getAll('Contact')).toHaveLength(2);
    expect(parseNameAddr(m.headers.get('To')!)!.display).toBe('%Z%45');
  });

  it('lwsdisp, longreq, dblreq, transports, mpart01, noreason, unreason', () => {
    expect(parseNameAddr(req('lwsdisp').headers.get('From')!)!.display).toBe('caller');
    const long = req('longreq');
    expect(long.headers.getAll('Via')).toHaveLength(34);
    expect(parseNameAddr(long.headers.get('To')!)!.display).toContain('extremeextreme');
    const dbl = req('dblreq');
    expect(dbl.method).toBe('REGISTER');
    expect(dbl.body).toBe('');
    expect(req('transports').headers.getAll('Via').length).toBeGreaterThanOrEqual(5);
    expect(req('mpart01').body.length).toBeGreaterThan(0);
    const noreason = parseMessage(fixture('noreason'));
    expect(noreason.ok && noreason.message.kind === 'response' && noreason.message.reason).toBe('');
    const unreason = parseMessage(fixture('unreason'));
    expect(unreason.ok && unreason.message.kind === 'response' && unreason.message.status).toBe(200);
  });
});

describe('RFC 4475 torture messages: a live ACD', () => {
  let acd: Acd;
  let ws: WebSocket;
  /** Raw frames from the ACD: its 400s copy the sender's malformed headers, which a strict parser would drop. */
  const frames: string[] = [];

  beforeAll(async () => {
    acd = new Acd({
      config: { host: '127.0.0.1', port: 0, domain: 'example.com', secret: 'torture-secret-'.padEnd(40, 'x'), ringTimeoutDefaultSec: 5, timers: { ackTimeoutMs: 300, authFailBurst: 1000 } },
      dialPlan: { lookup: () => null },
      media: new TestMediaEngine(),
      logger: pino({ level: process.env.ACD_TEST_LOG ?? 'silent' }),
    });
    await acd.start();
    ws = new WebSocket(`ws://127.0.0.1:${acd.port}`, 'sip');
    ws.on('message', (d: Buffer) => frames.push(d.toString('utf8')));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  });

  afterAll(async () => {
    if (ws) await new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : (ws.once('close', () => resolve()), ws.close())));
    await acd?.stop();
  });

  const callIdOf = (raw: string): string => /^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)/im.exec(raw)?.[1] ?? '';

  /** The first final response frame for a Call-ID, within 3 s. */
  async function finalFor(callId: string): Promise<{ status: number; reason: string }> {
    const deadline = Date.now() + 3000;
    for (;;) {
      for (const f of frames) {
        const m = /^SIP\/2\.0 ([2-6][0-9][0-9]) ([^\r\n]*)/.exec(f);
        if (m && callIdOf(f) === callId) return { status: Number(m[1]), reason: m[2]! };
      }
      if (Date.now() > deadline) throw new Error(`no final response for ${callId}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async function options(): Promise<number> {
    const callId = `probe-${Math.random().toString(36).slice(2)}`;
    ws.send(
      `OPTIONS sip:acd@example.com SIP/2.0\r\nVia: SIP/2.0/WS probe.invalid;branch=z9hG4bK${callId}\r\nMax-Forwards: 70\r\nFrom: <sip:probe@example.com>;tag=1\r\nTo: <sip:acd@example.com>\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
    );
    return (await finalFor(callId)).status;
  }

  it.each(Object.entries(TABLE))('%s is answered sensibly', async (name, want) => {
    const raw = fixture(name);
    const callId = callIdOf(raw.toString('latin1'));
    ws.send(raw, { binary: true });
    const expected = want.parse === 'ok' ? ACD_ANSWER[name] : want.answer ? (want.status ?? 400) : undefined;
    if (expected === undefined) {
      // responses and unanswerable requests: nothing comes back (the OPTIONS after it proves the ACD read it)
      expect(await options()).toBe(200);
      expect(frames.filter((f) => callIdOf(f) === callId)).toEqual([]);
      return;
    }
    const res = await finalFor(callId);
    expect(res.status).toBe(expected);
    if (want.parse === 'error') expect(res.reason).toBe(want.reason);
  });

  it('still answers OPTIONS and holds nothing afterwards', async () => {
    expect(await options()).toBe(200);
    expect(acd.legs()).toEqual([]);
  });
});
