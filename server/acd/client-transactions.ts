import type { Logger } from 'pino';
import { REASONS } from './sip/builders';
import { parseCSeq, parseVia, tagOf } from './sip/headers';
import { SipHeaders, type SipRequest, type SipResponse } from './sip/message';
import type { TransactionTimers } from './timers';
import type { Flow } from './transport/flow';

/**
 * Client transactions (RFC 3261 §17.1). Responses are matched by top Via branch and CSeq
 * method. Over UDP (`flow.reliable === false`) requests are retransmitted: INVITE on
 * Timer A (T1, doubling) until a provisional, non-INVITE on Timer E (T1 doubling to T2,
 * then T2). A transaction with no final response in time (Timer B/F), or whose flow
 * closes, ends with a locally made 408 / 503 (`local: true`).
 *
 * After the final response the transaction lingers over UDP to absorb retransmissions:
 * INVITE non-2xx for Timer D (the ACK is re-sent), non-INVITE for Timer K. A 2xx to an
 * INVITE keeps the transaction "accepted" (RFC 6026) for 64*T1: a retransmitted 2xx gets
 * the ACK the TU gave with `ack2xx` again and is not reported twice.
 *
 * ```
 *  INVITE:     calling ─1xx─▶ proceeding ─2xx─▶ accepted ─64*T1─▶ gone
 *                 └──────────────┴──300-699──▶ completed (ACK) ─D─▶ gone
 *  non-INVITE: trying ─1xx─▶ proceeding ─final─▶ completed ─K─▶ gone
 * ```
 */
export type ResponseListener = (res: SipResponse, local: boolean, tx: ClientTx) => void;

export interface ClientTx {
  readonly request: SipRequest;
  readonly flow: Flow;
  /** True once a final response (real or local) was delivered. */
  readonly done: boolean;
  /** True once a provisional response arrived (CANCEL is allowed only then, §9.1). */
  readonly provisional: boolean;
}

type TxState = 'calling' | 'proceeding' | 'completed' | 'accepted';

class Tx implements ClientTx {
  done = false;
  provisional = false;
  cancelWanted = false;
  state: TxState = 'calling';
  timeout: NodeJS.Timeout | null = null;
  retransmit: NodeJS.Timeout | null = null;
  interval = 0;
  /** The last ACK sent: for a non-2xx the transaction's own, for a 2xx the TU's. */
  ack: SipRequest | null = null;
  finalToTag: string | null = null;

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly flow: Flow,
    readonly listener: ResponseListener,
  ) {}

  clear(): void {
    if (this.timeout) clearTimeout(this.timeout);
    if (this.retransmit) clearTimeout(this.retransmit);
    this.timeout = null;
    this.retransmit = null;
  }
}

export class ClientTransactions {
  private readonly pending = new Map<string, Tx>();

  constructor(
    private readonly timers: TransactionTimers,
    private readonly log: Logger,
  ) {}

  /** Sends a request and reports its responses. The request must carry a fresh top Via. */
  send(req: SipRequest, flow: Flow, listener: ResponseListener = () => {}, timeoutMs = this.timers.transactionTimeoutMs): ClientTx {
    const key = txKey(req.headers.get('Via'), req.method);
    const tx = new Tx(key, req, flow, listener);
    if (req.method === 'ACK') {
      flow.send(req);
      tx.done = true;
      return tx;
    }
    this.pending.set(key, tx);
    tx.timeout = setTimeout(() => this.finishLocally(tx, 408), timeoutMs);
    if (!flow.send(req)) {
      queueMicrotask(() => this.finishLocally(tx, 503));
      return tx;
    }
    if (!flow.reliable) {
      tx.interval = this.timers.t1Ms;
      this.scheduleRetransmit(tx);
    }
    return tx;
  }

  /** Sends the ACK of a 2xx (end-to-end, §13.2.2.4) and keeps it for retransmitted 2xx. */
  ack2xx(tx: ClientTx, ack: SipRequest, flow: Flow = tx.flow): void {
    const t = tx as Tx;
    t.ack = ack;
    flow.send(ack);
  }

  /** Routes a response to its transaction; false when none matches (a stray). */
  handleResponse(res: SipResponse): boolean {
    const cseq = parseCSeq(res.headers.get('CSeq') ?? '');
    if (!cseq) return false;
    const tx = this.pending.get(txKey(res.headers.get('Via'), cseq.method));
    if (!tx) return false;
    if (tx.state === 'completed' || tx.state === 'accepted') {
      // a retransmitted final response: answer it with the ACK again, report nothing
      if (res.status >= 200 && tx.ack && (tx.state === 'completed' || tagOf(res.headers.get('To')) === tx.finalToTag)) tx.flow.send(tx.ack);
      return true;
    }
    if (res.status < 200) {
      tx.provisional = true;
      if (tx.state === 'calling') {
        tx.state = 'proceeding';
        if (tx.request.method === 'INVITE' && tx.retransmit) {
          clearTimeout(tx.retransmit);
          tx.retransmit = null;
        } else if (tx.retransmit) tx.interval = this.timers.t2Ms;
      }
      if (tx.cancelWanted) this.sendCancel(tx);
      this.safe(tx, res, false);
      return true;
    }
    tx.clear();
    tx.done = true;
    tx.finalToTag = tagOf(res.headers.get('To'));
    const isInvite = tx.request.method === 'INVITE';
    if (isInvite && res.status >= 300) {
      // the ACK of a non-2xx final answer belongs to the transaction (§17.1.1.3)
      tx.ack = this.nonSuccessAck(tx.request, res);
      tx.flow.send(tx.ack);
    }
    if (isInvite && res.status < 300) this.linger(tx, 'accepted', 64 * this.timers.t1Ms);
    else if (!tx.flow.reliable) this.linger(tx, 'completed', isInvite ? this.timers.transactionTimeoutMs : this.timers.t4Ms);
    else this.pending.delete(tx.key);
    this.safe(tx, res, false);
    return true;
  }

  /** Cancels a pending INVITE (§9.1): now if a provisional came, else when one comes. */
  cancel(tx: ClientTx): void {
    const t = this.pending.get((tx as Tx).key);
    if (!t || t.done || t.cancelWanted) return;
    t.cancelWanted = true;
    if (t.provisional) this.sendCancel(t);
  }

  /** Fails every transaction on a closed flow. */
  flowClosed(flow: Flow): void {
    for (const tx of [...this.pending.values()]) if (tx.flow === flow) this.finishLocally(tx, 503);
  }

  /** Transactions held (pending or lingering): tests check nothing leaks. */
  get size(): number {
    return this.pending.size;
  }

  stop(): void {
    for (const tx of this.pending.values()) tx.clear();
    this.pending.clear();
  }

  private scheduleRetransmit(tx: Tx): void {
    tx.retransmit = setTimeout(() => {
      tx.retransmit = null;
      if (tx.done || tx.flow.closed) return;
      if (tx.request.method === 'INVITE' && tx.state !== 'calling') return;
      tx.flow.send(tx.request);
      // Timer A doubles without a cap; Timer E doubles up to T2 (§17.1.1.2, §17.1.2.2)
      tx.interval = tx.request.method === 'INVITE' ? tx.interval * 2 : Math.min(tx.interval * 2, this.timers.t2Ms);
      this.scheduleRetransmit(tx);
    }, tx.interval);
  }

  private linger(tx: Tx, state: TxState, ms: number): void {
    tx.state = state;
    tx.timeout = setTimeout(() => {
      tx.timeout = null;
      if (this.pending.get(tx.key) === tx) this.pending.delete(tx.key);
    }, ms);
  }

  private sendCancel(tx: Tx): void {
    const r = tx.request;
    const h = new SipHeaders()
      .append('Via', r.headers.get('Via') ?? '')
      .append('Max-Forwards', '70')
      .append('From', r.headers.get('From') ?? '')
      .append('To', r.headers.get('To') ?? '')
      .append('Call-ID', r.headers.get('Call-ID') ?? '')
      .append('CSeq', `${parseCSeq(r.headers.get('CSeq') ?? '')?.seq ?? 1} CANCEL`);
    // a CANCEL carries the INVITE's Route set (§9.1)
    for (const route of r.headers.getAll('Route')) h.append('Route', route);
    this.send({ kind: 'request', method: 'CANCEL', uri: r.uri, headers: h, body: '' }, tx.flow);
  }

  private nonSuccessAck(inv: SipRequest, res: SipResponse): SipRequest {
    const h = new SipHeaders()
      .append('Via', inv.headers.get('Via') ?? '')
      .append('Max-Forwards', '70')
      .append('From', inv.headers.get('From') ?? '')
      .append('To', res.headers.get('To') ?? '')
      .append('Call-ID', inv.headers.get('Call-ID') ?? '')
      .append('CSeq', `${parseCSeq(inv.headers.get('CSeq') ?? '')?.seq ?? 1} ACK`);
    for (const route of inv.headers.getAll('Route')) h.append('Route', route);
    return { kind: 'request', method: 'ACK', uri: inv.uri, headers: h, body: '' };
  }

  private finishLocally(tx: Tx, status: number): void {
    if (tx.done) return;
    this.pending.delete(tx.key);
    tx.clear();
    tx.done = true;
    const h = new SipHeaders();
    for (const n of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) h.append(n, tx.request.headers.get(n) ?? '');
    this.safe(tx, { kind: 'response', status, reason: REASONS[status] ?? 'Local Failure', headers: h, body: '' }, true);
  }

  private safe(tx: Tx, res: SipResponse, local: boolean): void {
    try {
      tx.listener(res, local, tx);
    } catch (err) {
      this.log.error({ err, method: tx.request.method }, 'response listener threw');
    }
  }
}

function txKey(via: string | undefined, method: string): string {
  const branch = via ? (parseVia(via)?.params.get('branch') ?? '') : '';
  return `${branch}\u0000${method === 'ACK' ? 'INVITE' : method.toUpperCase()}`;
}
