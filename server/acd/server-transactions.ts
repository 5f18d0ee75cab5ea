import { BRANCH_MAGIC } from './sip/builders';
import { parseCSeq, parseVia, tagOf } from './sip/headers';
import type { SipRequest, SipResponse } from './sip/message';
import type { TransactionTimers } from './timers';
import type { Flow } from './transport/flow';

/**
 * Server transactions (RFC 3261 §17.2). A request is matched to its transaction by top
 * Via branch + sent-by + method (§17.2.3; ACK and CANCEL find their INVITE), or, for an
 * RFC 2543 peer without the magic cookie, by Call-ID + CSeq number + From tag + sent-by.
 * A retransmitted request is absorbed: the last response is sent again, the TU never
 * sees it.
 *
 * INVITE (§17.2.1 with RFC 6026 for 2xx):
 * ```
 *  proceeding ─300-699─▶ completed ─ACK─▶ confirmed ─Timer I─▶ gone
 *      │                    └─Timer H (no ACK)─▶ gone
 *      └────2xx────▶ accepted ─ACK (end-to-end, via ack2xx)─▶ gone
 *                       └─Timer H (no ACK)─▶ gone
 * ```
 * Over UDP the final response is retransmitted on Timer G (T1 doubling to T2) until the
 * ACK comes, for a 2xx as well (§13.3.1.4, the TU's duty, done here for the TU).
 *
 * Non-INVITE (§17.2.2): trying/proceeding ─final─▶ completed ─Timer J (UDP only)─▶ gone.
 */
type InviteState = 'proceeding' | 'completed' | 'confirmed' | 'accepted';

export class ServerInvite {
  final: SipResponse | null = null;
  last: SipResponse | null = null;
  onCancel: (() => void) | null = null;
  /** Called when a final answer was never ACKed (Timer H). */
  onAckTimeout: (() => void) | null = null;
  state: InviteState = 'proceeding';
  retransmit: NodeJS.Timeout | null = null;
  timeout: NodeJS.Timeout | null = null;
  interval = 0;

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly flow: Flow,
    private readonly owner: ServerTransactions,
  ) {}

  /** Sends a response; a final one completes the transaction. A second 100 is dropped. */
  respond(res: SipResponse): void {
    if (this.final) return;
    if (res.status === 100 && this.last) return;
    this.last = res;
    if (res.status >= 200) {
      this.final = res;
      this.onCancel = null;
      this.owner.completed(this);
    }
    this.flow.send(res);
  }

  get answered(): boolean {
    return this.final !== null;
  }

  /** Kept for callers of the first version; the transaction key. */
  get branch(): string {
    return this.key;
  }

  clear(): void {
    if (this.retransmit) clearTimeout(this.retransmit);
    if (this.timeout) clearTimeout(this.timeout);
    this.retransmit = null;
    this.timeout = null;
  }
}

export class NonInviteTx {
  last: SipResponse | null = null;
  timeout: NodeJS.Timeout | null = null;

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly flow: Flow,
    private readonly owner: ServerTransactions,
  ) {}

  /** Sends a response; the first final one completes the transaction, later ones are dropped. */
  respond(res: SipResponse): void {
    if (this.last && this.last.status >= 200) return;
    this.last = res;
    this.flow.send(res);
    if (res.status >= 200) this.owner.nonInviteCompleted(this);
  }
}

export class ServerTransactions {
  private readonly invites = new Map<string, ServerInvite>();
  /** INVITEs answered 2xx, by Call-ID + CSeq number: their ACK has its own branch. */
  private readonly accepted = new Map<string, ServerInvite>();
  private readonly others = new Map<string, NonInviteTx>();

  constructor(private readonly timers: TransactionTimers) {}

  /** §17.2.3 key; method ACK and CANCEL are folded onto INVITE by the callers. */
  static keyOf(req: SipRequest, method: string = req.method.toUpperCase()): string {
    const via = parseVia(req.headers.get('Via') ?? '');
    const branch = via?.params.get('branch') ?? '';
    const sentBy = `${via?.host ?? ''}:${via?.port ?? ''}`;
    if (branch.startsWith(BRANCH_MAGIC)) return `${branch}\u0000${sentBy}\u0000${method}`;
    // RFC 2543 fallback (§17.2.3): no To tag — ACK to a non-2xx carries one the INVITE lacked
    const cseq = parseCSeq(req.headers.get('CSeq') ?? '');
    return `2543\u0000${req.headers.get('Call-ID') ?? ''}\u0000${cseq?.seq ?? ''}\u0000${tagOf(req.headers.get('From')) ?? ''}\u0000${sentBy}\u0000${req.uri}\u0000${method}`;
  }

  /** @deprecated the transaction key of a request (INVITE, or the INVITE an ACK/CANCEL belongs to). */
  static branchOf(req: SipRequest): string {
    return ServerTransactions.keyOf(req, 'INVITE');
  }

  /** Starts an INVITE transaction; null when this INVITE is a retransmission (absorbed here). */
  begin(req: SipRequest, flow: Flow): ServerInvite | null {
    const k = ServerTransactions.keyOf(req, 'INVITE');
    const known = this.invites.get(k);
    if (known) {
      // a retransmitted INVITE: the last response goes out again (§17.2.1)
      if (known.last && known.state !== 'confirmed') known.flow.send(known.last);
      return null;
    }
    const st = new ServerInvite(k, req, flow, this);
    this.invites.set(k, st);
    return st;
  }

  /** The INVITE transaction a CANCEL or a non-2xx ACK belongs to. */
  match(req: SipRequest): ServerInvite | undefined {
    return this.invites.get(ServerTransactions.keyOf(req, 'INVITE'));
  }

  /** Absorbs an ACK that belongs to an INVITE transaction; true when it did. */
  absorbAck(req: SipRequest): boolean {
    const st = this.match(req);
    if (!st || !st.final || st.final.status < 300) return false;
    if (st.state === 'completed') {
      st.clear();
      st.state = 'confirmed';
      // Timer I absorbs ACK retransmits (0 over a reliable flow)
      this.after(st, st.flow.reliable ? 0 : this.timers.t4Ms);
    }
    return true;
  }

  /** An end-to-end ACK for a 2xx (matched by Call-ID and CSeq): stops 2xx retransmission. */
  ack2xx(req: SipRequest): ServerInvite | undefined {
    const k = acceptedKey(req);
    const st = this.accepted.get(k);
    if (!st) return undefined;
    this.accepted.delete(k);
    this.forget(st);
    return st;
  }

  completed(st: ServerInvite): void {
    const final = st.final!;
    const unreliable = !st.flow.reliable;
    if (final.status < 300) {
      st.state = 'accepted';
      this.accepted.set(acceptedKey(st.request), st);
    } else {
      st.state = 'completed';
    }
    if (unreliable) {
      // Timer G: the final answer again until the ACK (T1 doubling, capped at T2)
      st.interval = this.timers.t1Ms;
      const again = () => {
        st.retransmit = setTimeout(() => {
          if (st.state !== 'completed' && st.state !== 'accepted') return;
          st.flow.send(final);
          st.interval = Math.min(st.interval * 2, this.timers.t2Ms);
          again();
        }, st.interval);
      };
      again();
    }
    // Timer H: give up waiting for the ACK
    st.timeout = setTimeout(() => {
      st.timeout = null;
      const waiting = st.state === 'completed' || st.state === 'accepted';
      this.forget(st);
      if (waiting) st.onAckTimeout?.();
    }, this.timers.ackTimeoutMs);
  }

  /** Pending (unanswered) INVITEs that arrived on a flow. */
  pendingOn(flow: Flow): ServerInvite[] {
    return [...this.invites.values()].filter((s) => s.flow === flow && !s.answered);
  }

  /** Starts a non-INVITE transaction; null when the request is a retransmission (absorbed). */
  beginNonInvite(req: SipRequest, flow: Flow): NonInviteTx | null {
    const k = ServerTransactions.keyOf(req);
    const known = this.others.get(k);
    if (known) {
      if (known.last) known.flow.send(known.last);
      return null;
    }
    const t = new NonInviteTx(k, req, flow, this);
    this.others.set(k, t);
    return t;
  }

  nonInviteCompleted(t: NonInviteTx): void {
    if (t.flow.reliable) {
      this.others.delete(t.key);
      return;
    }
    // Timer J: absorb retransmissions of the request for 64*T1
    t.timeout = setTimeout(() => {
      if (this.others.get(t.key) === t) this.others.delete(t.key);
    }, 64 * this.timers.t1Ms);
  }

  /** Transactions held (tests check nothing leaks). */
  get size(): number {
    return this.invites.size + this.others.size;
  }

  stop(): void {
    for (const st of this.invites.values()) st.clear();
    for (const t of this.others.values()) if (t.timeout) clearTimeout(t.timeout);
    this.invites.clear();
    this.accepted.clear();
    this.others.clear();
  }

  private after(st: ServerInvite, ms: number): void {
    if (ms <= 0) return this.forget(st);
    st.timeout = setTimeout(() => this.forget(st), ms);
  }

  private forget(st: ServerInvite): void {
    st.clear();
    if (this.invites.get(st.key) === st) this.invites.delete(st.key);
    const ak = acceptedKey(st.request);
    if (this.accepted.get(ak) === st) this.accepted.delete(ak);
  }
}

function acceptedKey(req: SipRequest): string {
  return `${req.headers.get('Call-ID') ?? ''}\u0000${parseCSeq(req.headers.get('CSeq') ?? '')?.seq ?? ''}`;
}
