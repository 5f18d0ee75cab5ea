import type { Logger } from 'pino';
import { REASONS } from './sip/builders';
import { parseCSeq, parseVia } from './sip/headers';
import { SipHeaders, type SipRequest, type SipResponse } from './sip/message';
import type { Flow } from './transport/flow';

/**
 * Client transactions over a reliable transport (RFC 3261 §17.1 without retransmission:
 * WebSocket, TCP and TLS never need it). Responses are matched by top Via branch and CSeq
 * method. A transaction that gets no final response in time, or whose flow closes, ends
 * with a locally made 408 / 503 (`local: true`).
 */
export type ResponseListener = (res: SipResponse, local: boolean) => void;

export interface ClientTx {
  readonly request: SipRequest;
  readonly flow: Flow;
  /** True once a final response (real or local) was delivered. */
  readonly done: boolean;
  /** True once a provisional response arrived (CANCEL is allowed only then, §9.1). */
  readonly provisional: boolean;
}

class Tx implements ClientTx {
  done = false;
  provisional = false;
  cancelWanted = false;
  timer: NodeJS.Timeout | null = null;

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly flow: Flow,
    readonly listener: ResponseListener,
  ) {}
}

export class ClientTransactions {
  private readonly pending = new Map<string, Tx>();

  constructor(
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  /** Sends a request and reports its responses. The request must carry a fresh top Via. */
  send(req: SipRequest, flow: Flow, listener: ResponseListener = () => {}, timeoutMs = this.timeoutMs): ClientTx {
    const key = txKey(req.headers.get('Via'), req.method);
    const tx = new Tx(key, req, flow, listener);
    if (req.method === 'ACK') {
      flow.send(req);
      tx.done = true;
      return tx;
    }
    this.pending.set(key, tx);
    tx.timer = setTimeout(() => this.finishLocally(tx, 408), timeoutMs);
    if (!flow.send(req)) queueMicrotask(() => this.finishLocally(tx, 503));
    return tx;
  }

  /** Routes a response to its transaction; false when none matches (a stray). */
  handleResponse(res: SipResponse): boolean {
    const cseq = parseCSeq(res.headers.get('CSeq') ?? '');
    if (!cseq) return false;
    const tx = this.pending.get(txKey(res.headers.get('Via'), cseq.method));
    if (!tx) return false;
    if (res.status < 200) {
      tx.provisional = true;
      if (tx.cancelWanted) this.sendCancel(tx);
      this.safe(tx, res, false);
      return true;
    }
    this.pending.delete(tx.key);
    if (tx.timer) clearTimeout(tx.timer);
    tx.done = true;
    // the ACK of a non-2xx final answer belongs to the transaction (§17.1.1.3)
    if (tx.request.method === 'INVITE' && res.status >= 300) tx.flow.send(this.nonSuccessAck(tx.request, res));
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

  stop(): void {
    for (const tx of this.pending.values()) if (tx.timer) clearTimeout(tx.timer);
    this.pending.clear();
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
    return { kind: 'request', method: 'ACK', uri: inv.uri, headers: h, body: '' };
  }

  private finishLocally(tx: Tx, status: number): void {
    if (tx.done) return;
    this.pending.delete(tx.key);
    if (tx.timer) clearTimeout(tx.timer);
    tx.done = true;
    const h = new SipHeaders();
    for (const n of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) h.append(n, tx.request.headers.get(n) ?? '');
    this.safe(tx, { kind: 'response', status, reason: REASONS[status] ?? 'Local Failure', headers: h, body: '' }, true);
  }

  private safe(tx: Tx, res: SipResponse, local: boolean): void {
    try {
      tx.listener(res, local);
    } catch (err) {
      this.log.error({ err, method: tx.request.method }, 'response listener threw');
    }
  }
}

function txKey(via: string | undefined, method: string): string {
  const branch = via ? (parseVia(via)?.params.get('branch') ?? '') : '';
  return `${branch}\u0000${method === 'ACK' ? 'INVITE' : method.toUpperCase()}`;
}
