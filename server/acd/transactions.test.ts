import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientTransactions } from './client-transactions';
import { ServerTransactions } from './server-transactions';
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
