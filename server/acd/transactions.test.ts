import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { countTransitions } from '../shared/state-machine';
import {
  CLIENT_TX_EVENTS,
  ClientTransactions,
  INVITE_CLIENT_STATES,
  INVITE_CLIENT_TRANSITIONS,
  NON_INVITE_CLIENT_STATES,
  NON_INVITE_CLIENT_TRANSITIONS,
  transition as clientTransition,
} from './client-transactions';
import {
  INVITE_SERVER_EVENTS,
  INVITE_SERVER_STATES,
  INVITE_SERVER_TRANSITIONS,
  NON_INVITE_SERVER_EVENTS,
  NON_INVITE_SERVER_STATES,
  NON_INVITE_SERVER_TRANSITIONS,
  ServerTransactions,
  transition as serverTransition,
} from './server-transactions';
import { makeResponse } from './sip/builders';
import { SipHeaders, type SipMessage, type SipRequest } from './sip/message';
import type { TransactionTimers } from './timers';
import type { Flow } from './transport/flow';

/** The transaction layer alone, over a recording flow and a fake clock (RFC 3261 §17 timers). */
const T: TransactionTimers = { t1Ms: 500, t2Ms: 4000, t4Ms: 5000, transactionTimeoutMs: 32_000, ackTimeoutMs: 32_000 };

class RecordingFlow implements Flow {
  readonly id = 'f';
  readonly remoteAddress = '192.0.2.9';
  readonly remotePort = 5060;
  readonly localPort = 5060;
  closed = false;
  readonly sent: Array<{ at: number; msg: SipMessage }> = [];
  constructor(
    readonly transport: 'UDP' | 'TCP',
    readonly reliable = transport !== 'UDP',
  ) {}
  send(msg: SipMessage): boolean {
    this.sent.push({ at: Date.now(), msg });
    return true;
  }
  close(): void {}
  times(pred: (m: SipMessage) => boolean): number[] {
    return this.sent.filter((s) => pred(s.msg)).map((s) => s.at);
  }
}

function request(method: string, branch = 'z9hG4bKabc', extra: Array<[string, string]> = []): SipRequest {
  const h = SipHeaders.from([
    ['Via', `SIP/2.0/UDP 192.0.2.9:5060;branch=${branch}`],
    ['From', '<sip:a@x>;tag=f1'],
    ['To', '<sip:b@y>'],
    ['Call-ID', 'c1'],
    ['CSeq', `1 ${method}`],
    ...extra,
  ]);
  return { kind: 'request', method, uri: 'sip:b@y', headers: h, body: '' };
}

const isReq = (method: string) => (m: SipMessage) => m.kind === 'request' && m.method === method;
const isRes = (status: number) => (m: SipMessage) => m.kind === 'response' && m.status === status;
const log = pino({ level: 'silent' });

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('client transactions over UDP', () => {
  it('INVITE: Timer A doubles until a provisional; Timer B ends it with a local 408', () => {
    const ct = new ClientTransactions(T, log);
    const flow = new RecordingFlow('UDP');
    const seen: Array<[number, boolean]> = [];
    ct.send(request('INVITE'), flow, (res, local) => seen.push([res.status, local]));
    vi.advanceTimersByTime(32_000);
    // sent at 0, then after 500, 1000, 2000, 4000, 8000, 16000 ms
    expect(flow.times(isReq('INVITE'))).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(seen).toEqual([[408, true]]);
    expect(ct.size).toBe(0);
  });

  it('INVITE: a 1xx stops Timer A; a non-2xx is ACKed in the transaction and its retransmission ACKed again (Timer D)', () => {
    const ct = new ClientTransactions(T, log);
    const flow = new RecordingFlow('UDP');
    const inv = request('INVITE');
    const seen: number[] = [];
    ct.send(inv, flow, (res) => seen.push(res.status));
    vi.advanceTimersByTime(600);
    ct.handleResponse(makeResponse(inv, 180, { toTag: 't' }));
    vi.advanceTimersByTime(10_000);
    expect(flow.times(isReq('INVITE'))).toEqual([0, 500]);
    const busy = makeResponse(inv, 486, { toTag: 't' });
    ct.handleResponse(busy);
    ct.handleResponse(busy);
    expect(flow.times(isReq('ACK'))).toHaveLength(2);
    expect(seen).toEqual([180, 486]);
    vi.advanceTimersByTime(32_000);
    expect(ct.size).toBe(0);
    expect(ct.handleResponse(busy)).toBe(false);
  });

  it('INVITE: a retransmitted 2xx is not reported twice and gets the TU ACK again', () => {
    const ct = new ClientTransactions(T, log);
    const flow = new RecordingFlow('UDP');
    const inv = request('INVITE');
    let oks = 0;
    ct.send(inv, flow, (res, _l, tx) => {
      if (res.status !== 200) return;
      oks += 1;
      ct.ack2xx(tx, request('ACK', 'z9hG4bKack'));
    });
    const ok = makeResponse(inv, 200, { toTag: 't' });
    ct.handleResponse(ok);
    ct.handleResponse(ok);
    expect(oks).toBe(1);
    expect(flow.times(isReq('ACK'))).toHaveLength(2);
  });

  it('non-INVITE: Timer E doubles up to T2, then stays at T2 after a provisional; Timer K absorbs the final retransmission', () => {
    const ct = new ClientTransactions(T, log);
    const flow = new RecordingFlow('UDP');
    const bye = request('BYE');
    const seen: number[] = [];
    ct.send(bye, flow, (res) => seen.push(res.status));
    vi.advanceTimersByTime(16_000);
    expect(flow.times(isReq('BYE'))).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500]);
    ct.handleResponse(makeResponse(bye, 200));
    ct.handleResponse(makeResponse(bye, 200));
    expect(seen).toEqual([200]);
    vi.advanceTimersByTime(5000);
    expect(ct.size).toBe(0);
  });

  it('over TCP nothing is retransmitted', () => {
    const ct = new ClientTransactions(T, log);
    const flow = new RecordingFlow('TCP');
    ct.send(request('INVITE'), flow);
    ct.send(request('OPTIONS', 'z9hG4bKopt'), flow);
    vi.advanceTimersByTime(31_000);
    expect(flow.sent).toHaveLength(2);
  });
});

describe('server transactions', () => {
  it('INVITE over UDP: a resend gets the last response; the final answer repeats on Timer G (capped at T2) until ACK, Timer I absorbs ACKs', () => {
    const st = new ServerTransactions(T);
    const flow = new RecordingFlow('UDP');
    const inv = request('INVITE');
    const tx = st.begin(inv, flow)!;
    tx.respond(makeResponse(inv, 100));
    expect(st.begin(inv, flow)).toBeNull();
    expect(flow.times(isRes(100))).toEqual([0, 0]);
    tx.respond(makeResponse(inv, 486, { toTag: 't' }));
    vi.advanceTimersByTime(12_000);
    expect(flow.times(isRes(486))).toEqual([0, 500, 1500, 3500, 7500, 11500]);
    const ack = request('ACK');
    expect(st.absorbAck(ack)).toBe(true);
    vi.advanceTimersByTime(4000);
    expect(st.absorbAck(ack)).toBe(true); // Timer I (T4) still absorbing
    expect(flow.times(isRes(486))).toHaveLength(6);
    vi.advanceTimersByTime(1000);
    expect(st.size).toBe(0);
  });

  it('a 2xx repeats until its end-to-end ACK (matched by Call-ID and CSeq); Timer H reports a missing ACK', () => {
    const st = new ServerTransactions(T);
    const flow = new RecordingFlow('UDP');
    const inv = request('INVITE');
    const tx = st.begin(inv, flow)!;
    const timedOut = vi.fn();
    tx.onAckTimeout = timedOut;
    tx.respond(makeResponse(inv, 200, { toTag: 't' }));
    vi.advanceTimersByTime(1600);
    expect(st.ack2xx(request('ACK', 'z9hG4bKother'))).toBe(tx);
    vi.advanceTimersByTime(40_000);
    expect(flow.times(isRes(200))).toEqual([0, 500, 1500]);
    expect(timedOut).not.toHaveBeenCalled();

    const inv2 = request('INVITE', 'z9hG4bKtwo');
    inv2.headers.set('Call-ID', 'c2');
    const tx2 = st.begin(inv2, flow)!;
    tx2.onAckTimeout = timedOut;
    tx2.respond(makeResponse(inv2, 200, { toTag: 't' }));
    vi.advanceTimersByTime(32_000);
    expect(timedOut).toHaveBeenCalledTimes(1);
    expect(st.size).toBe(0);
  });

  it('matches CANCEL to its INVITE by branch and sent-by, and an RFC 2543 INVITE without the magic cookie', () => {
    const st = new ServerTransactions(T);
    const flow = new RecordingFlow('UDP');
    const inv = request('INVITE');
    const tx = st.begin(inv, flow)!;
    expect(st.match(request('CANCEL'))).toBe(tx);
    expect(st.match(request('CANCEL', 'z9hG4bKelse'))).toBeUndefined();
    const old = request('INVITE', '1234');
    const oldTx = st.begin(old, flow)!;
    expect(st.begin(request('INVITE', '1234'), flow)).toBeNull();
    expect(st.match(request('CANCEL', '1234'))).toBe(oldTx);
  });

  it('non-INVITE over UDP: a resend gets the same final answer for Timer J; over TCP the transaction ends at once', () => {
    const st = new ServerTransactions(T);
    const udp = new RecordingFlow('UDP');
    const opt = request('OPTIONS');
    st.beginNonInvite(opt, udp)!.respond(makeResponse(opt, 200));
    expect(st.beginNonInvite(opt, udp)).toBeNull();
    expect(udp.times(isRes(200))).toHaveLength(2);
    vi.advanceTimersByTime(32_000);
    expect(st.beginNonInvite(opt, udp)).not.toBeNull();
    const tcp = new RecordingFlow('TCP');
    const opt2 = request('OPTIONS', 'z9hG4bKtcp');
    st.beginNonInvite(opt2, tcp)!.respond(makeResponse(opt2, 200));
    expect(st.beginNonInvite(opt2, tcp)).not.toBeNull();
  });
});

/**
 * The four RFC 3261 §17 machines, written out independently of the tables (Figures 5-8,
 * with RFC 6026's accepted state), so a wrong table entry fails here.
 */
type Row = readonly [string, string, string];
const INVITE_CLIENT: Row[] = [
  ['calling', 'provisional', 'proceeding'],
  ['calling', 'success', 'accepted'],
  ['calling', 'failure', 'completed'],
  ['calling', 'retransmit_timer', 'calling'],
  ['calling', 'timeout', 'terminated'],
  ['calling', 'transport_error', 'terminated'],
  ['proceeding', 'provisional', 'proceeding'],
  ['proceeding', 'success', 'accepted'],
  ['proceeding', 'failure', 'completed'],
  ['proceeding', 'timeout', 'terminated'],
  ['proceeding', 'transport_error', 'terminated'],
  ['completed', 'provisional', 'completed'],
  ['completed', 'success', 'completed'],
  ['completed', 'failure', 'completed'],
  ['completed', 'linger_end', 'terminated'],
  ['accepted', 'provisional', 'accepted'],
  ['accepted', 'success', 'accepted'],
  ['accepted', 'failure', 'accepted'],
  ['accepted', 'linger_end', 'terminated'],
];
const NON_INVITE_CLIENT: Row[] = [
  ['trying', 'provisional', 'proceeding'],
  ['trying', 'success', 'completed'],
  ['trying', 'failure', 'completed'],
  ['trying', 'retransmit_timer', 'trying'],
  ['trying', 'timeout', 'terminated'],
  ['trying', 'transport_error', 'terminated'],
  ['proceeding', 'provisional', 'proceeding'],
  ['proceeding', 'success', 'completed'],
  ['proceeding', 'failure', 'completed'],
  ['proceeding', 'retransmit_timer', 'proceeding'],
  ['proceeding', 'timeout', 'terminated'],
  ['proceeding', 'transport_error', 'terminated'],
  ['completed', 'provisional', 'completed'],
  ['completed', 'success', 'completed'],
  ['completed', 'failure', 'completed'],
  ['completed', 'linger_end', 'terminated'],
];
const INVITE_SERVER: Row[] = [
  ['proceeding', 'provisional', 'proceeding'],
  ['proceeding', 'success', 'accepted'],
  ['proceeding', 'failure', 'completed'],
  ['proceeding', 'request_retransmit', 'proceeding'],
  ['completed', 'request_retransmit', 'completed'],
  ['completed', 'ack', 'confirmed'],
  ['completed', 'retransmit_timer', 'completed'],
  ['completed', 'ack_timeout', 'terminated'],
  ['confirmed', 'request_retransmit', 'confirmed'],
  ['confirmed', 'ack', 'confirmed'],
  ['confirmed', 'linger_end', 'terminated'],
  ['accepted', 'request_retransmit', 'accepted'],
  ['accepted', 'ack_2xx', 'terminated'],
  ['accepted', 'retransmit_timer', 'accepted'],
  ['accepted', 'ack_timeout', 'terminated'],
];
const NON_INVITE_SERVER: Row[] = [
  ['trying', 'provisional', 'proceeding'],
  ['trying', 'final', 'completed'],
  ['trying', 'request_retransmit', 'trying'],
  ['proceeding', 'provisional', 'proceeding'],
  ['proceeding', 'final', 'completed'],
  ['proceeding', 'request_retransmit', 'proceeding'],
  ['completed', 'request_retransmit', 'completed'],
  ['completed', 'linger_end', 'terminated'],
];

const machines = [
  {
    name: 'invite client transaction',
    states: INVITE_CLIENT_STATES,
    events: CLIENT_TX_EVENTS,
    table: INVITE_CLIENT_TRANSITIONS,
    spec: INVITE_CLIENT,
    step: (s: string, e: string) => clientTransition(true, s as (typeof INVITE_CLIENT_STATES)[number], e as (typeof CLIENT_TX_EVENTS)[number]),
  },
  {
    name: 'non-invite client transaction',
    states: NON_INVITE_CLIENT_STATES,
    events: CLIENT_TX_EVENTS,
    table: NON_INVITE_CLIENT_TRANSITIONS,
    spec: NON_INVITE_CLIENT,
    step: (s: string, e: string) => clientTransition(false, s as (typeof NON_INVITE_CLIENT_STATES)[number], e as (typeof CLIENT_TX_EVENTS)[number]),
  },
  {
    name: 'invite server transaction',
    states: INVITE_SERVER_STATES,
    events: INVITE_SERVER_EVENTS,
    table: INVITE_SERVER_TRANSITIONS,
    spec: INVITE_SERVER,
    step: (s: string, e: string) => serverTransition('invite', s as (typeof INVITE_SERVER_STATES)[number], e as (typeof INVITE_SERVER_EVENTS)[number]),
  },
  {
    name: 'non-invite server transaction',
    states: NON_INVITE_SERVER_STATES,
    events: NON_INVITE_SERVER_EVENTS,
    table: NON_INVITE_SERVER_TRANSITIONS,
    spec: NON_INVITE_SERVER,
    step: (s: string, e: string) =>
      serverTransition('non-invite', s as (typeof NON_INVITE_SERVER_STATES)[number], e as (typeof NON_INVITE_SERVER_EVENTS)[number]),
  },
];

describe.each(machines)('$name state machine', ({ name, states, events, table, spec, step }) => {
  const legal = new Map(spec.map(([s, e, n]) => [`${s}/${e}`, n]));
  // Every (state, event) pair, generated from the lists, so a new state or event is covered.
  const cases = states.flatMap((s) => events.map((e) => [s, e] as const));
  it.each(cases)('%s + %s', (state, event) => {
    const r = step(state, event);
    const expected = legal.get(`${state}/${event}`);
    if (expected) expect(r).toEqual({ ok: true, next: expected });
    else expect(r).toMatchObject({ ok: false, error: { kind: 'illegal-transition', machine: name, state, event } });
  });

  it('has a row for every state, none the spec lacks, and terminated is final', () => {
    expect(Object.keys(table).sort()).toEqual([...states].sort());
    expect(countTransitions(table)).toBe(spec.length);
    expect(Object.keys(table.terminated)).toEqual([]);
  });
});
