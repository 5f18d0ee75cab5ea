import type { Logger } from 'pino';
import { lookUpTransition, type TransitionResult, type TransitionTable } from '../shared/state-machine';
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
 * the ACK the TU gave with `ack2xx` again and is not reported twice. Over a reliable flow
 * Timers D and K are zero: `completed` ends at once.
 *
 * ```
 *  INVITE:     calling ─1xx─▶ proceeding ─2xx─▶ accepted ─64*T1─▶ terminated
 *                 └──────────────┴──300-699──▶ completed (ACK) ─D─▶ terminated
 *  non-INVITE: trying ─1xx─▶ proceeding ─final─▶ completed ─K─▶ terminated
 *  calling, trying, proceeding ─Timer B/F (408), transport error (503)─▶ terminated
 * ```
 * Every move goes through `transition()`; an event the tables lack (a retransmission timer
 * after the INVITE's 1xx, a local failure after the final answer) is ignored.
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

export const CLIENT_TX_EVENTS = [
  'provisional', // a 1xx arrived
  'success', // a 2xx arrived
  'failure', // a 300-699 arrived
  'retransmit_timer', // Timer A / E fired
  'timeout', // Timer B / F fired: local 408
  'transport_error', // the request could not be sent or its flow closed: local 503
  'linger_end', // Timer D / K, or 64*T1 after a 2xx
] as const;
export type ClientTxEvent = (typeof CLIENT_TX_EVENTS)[number];

export const INVITE_CLIENT_STATES = ['calling', 'proceeding', 'completed', 'accepted', 'terminated'] as const;
export type InviteClientState = (typeof INVITE_CLIENT_STATES)[number];
export const NON_INVITE_CLIENT_STATES = ['trying', 'proceeding', 'completed', 'terminated'] as const;
export type NonInviteClientState = (typeof NON_INVITE_CLIENT_STATES)[number];
export type ClientTxState = InviteClientState | NonInviteClientState;

/** RFC 3261 Figure 5 with RFC 6026's accepted state. Responses after the final one are absorbed in place. */
export const INVITE_CLIENT_TRANSITIONS: TransitionTable<InviteClientState, ClientTxEvent> = {
  calling: { provisional: 'proceeding', success: 'accepted', failure: 'completed', retransmit_timer: 'calling', timeout: 'terminated', transport_error: 'terminated' },
  proceeding: { provisional: 'proceeding', success: 'accepted', failure: 'completed', timeout: 'terminated', transport_error: 'terminated' },
  completed: { provisional: 'completed', success: 'completed', failure: 'completed', linger_end: 'terminated' },
  accepted: { provisional: 'accepted', success: 'accepted', failure: 'accepted', linger_end: 'terminated' },
  terminated: {},
};

/** RFC 3261 Figure 6: Timer E keeps running in proceeding (at T2). */
export const NON_INVITE_CLIENT_TRANSITIONS: TransitionTable<NonInviteClientState, ClientTxEvent> = {
  trying: { provisional: 'proceeding', success: 'completed', failure: 'completed', retransmit_timer: 'trying', timeout: 'terminated', transport_error: 'terminated' },
  proceeding: { provisional: 'proceeding', success: 'completed', failure: 'completed', retransmit_timer: 'proceeding', timeout: 'terminated', transport_error: 'terminated' },
  completed: { provisional: 'completed', success: 'completed', failure: 'completed', linger_end: 'terminated' },
  terminated: {},
};

/** The next state of an INVITE (`invite: true`) or non-INVITE client transaction. Never throws. */
export function transition(invite: true, state: InviteClientState, event: ClientTxEvent): TransitionResult<InviteClientState>;
export function transition(invite: false, state: NonInviteClientState, event: ClientTxEvent): TransitionResult<NonInviteClientState>;
export function transition(invite: boolean, state: ClientTxState, event: ClientTxEvent): TransitionResult<ClientTxState>;
export function transition(invite: boolean, state: ClientTxState, event: ClientTxEvent): TransitionResult<ClientTxState> {
  return invite
    ? lookUpTransition<ClientTxState, ClientTxEvent>('invite client transaction', INVITE_CLIENT_TRANSITIONS, state, event)
    : lookUpTransition<ClientTxState, ClientTxEvent>('non-invite client transaction', NON_INVITE_CLIENT_TRANSITIONS, state, event);
}

const FINISHED: ReadonlySet<ClientTxState> = new Set(['completed', 'accepted', 'terminated']);

class Tx implements ClientTx {
  provisional = false;
  cancelWanted = false;
  private current: ClientTxState;
  timeout: NodeJS.Timeout | null = null;
  retransmit: NodeJS.Timeout | null = null;
  interval = 0;
  /** The last ACK sent: for a non-2xx the transaction's own, for a 2xx the TU's. */
  ack: SipRequest | null = null;
  finalToTag: string | null = null;
  readonly invite: boolean;

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly flow: Flow,
    readonly listener: ResponseListener,
  ) {
    this.invite = request.method === 'INVITE';
    // an ACK is sent once and never answered: it has no transaction to live in (§17.1.1.3)
    this.current = request.method === 'ACK' ? 'terminated' : this.invite ? 'calling' : 'trying';
  }

  get state(): ClientTxState {
    return this.current;
  }

  get done(): boolean {
    return FINISHED.has(this.current);
  }

  /** Moves on `event`; false (and no move) when the table lacks it. */
  apply(event: ClientTxEvent): boolean {
    const r = transition(this.invite, this.current, event);
    if (r.ok) this.current = r.next;
    return r.ok;
  }

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
      return tx;
    }
    this.pending.set(key, tx);
    tx.timeout = setTimeout(() => this.finishLocally(tx, 'timeout'), timeoutMs);
    if (!flow.send(req)) {
      queueMicrotask(() => this.finishLocally(tx, 'transport_error'));
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
    const from = tx.state;
    if (!tx.apply(res.status < 200 ? 'provisional' : res.status < 300 ? 'success' : 'failure')) return true;
    if (from === 'completed' || from === 'accepted') {
      // a retransmitted final response: answer it with the ACK again, report nothing
      if (res.status >= 200 && tx.ack && (from === 'completed' || tagOf(res.headers.get('To')) === tx.finalToTag)) tx.flow.send(tx.ack);
      return true;
    }
    if (res.status < 200) {
      tx.provisional = true;
      if (from !== 'proceeding') {
        // Timer A stops at the first 1xx; Timer E goes on at T2 (§17.1.1.2, §17.1.2.2)
        if (tx.invite && tx.retransmit) {
          clearTimeout(tx.retransmit);
          tx.retransmit = null;
        } else if (tx.retransmit) tx.interval = this.timers.t2Ms;
      }
      if (tx.cancelWanted) this.sendCancel(tx);
      this.safe(tx, res, false);
      return true;
    }
    tx.clear();
    tx.finalToTag = tagOf(res.headers.get('To'));
    if (tx.invite && res.status >= 300) {
      // the ACK of a non-2xx final answer belongs to the transaction (§17.1.1.3)
      tx.ack = this.nonSuccessAck(tx.request, res);
      tx.flow.send(tx.ack);
    }
    if (tx.state === 'accepted') this.linger(tx, 64 * this.timers.t1Ms);
    else if (!tx.flow.reliable) this.linger(tx, tx.invite ? this.timers.transactionTimeoutMs : this.timers.t4Ms);
    else this.end(tx);
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
    for (const tx of [...this.pending.values()]) if (tx.flow === flow) this.finishLocally(tx, 'transport_error');
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
      if (tx.flow.closed || !tx.apply('retransmit_timer')) return;
      tx.flow.send(tx.request);
      // Timer A doubles without a cap; Timer E doubles up to T2 (§17.1.1.2, §17.1.2.2)
      tx.interval = tx.invite ? tx.interval * 2 : Math.min(tx.interval * 2, this.timers.t2Ms);
      this.scheduleRetransmit(tx);
    }, tx.interval);
  }

  /** Keeps a finished transaction to absorb retransmitted responses (Timers D, K, and 64*T1 after a 2xx). */
  private linger(tx: Tx, ms: number): void {
    tx.timeout = setTimeout(() => {
      tx.timeout = null;
      this.end(tx);
    }, ms);
  }

  private end(tx: Tx): void {
    tx.apply('linger_end');
    if (this.pending.get(tx.key) === tx) this.pending.delete(tx.key);
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

  private finishLocally(tx: Tx, event: 'timeout' | 'transport_error'): void {
    if (!tx.apply(event)) return; // finished already
    this.pending.delete(tx.key);
    tx.clear();
    const status = event === 'timeout' ? 408 : 503;
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
