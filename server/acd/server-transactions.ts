import { lookUpTransition, type TransitionResult, type TransitionTable } from '../shared/state-machine';
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
 * Non-INVITE (§17.2.2): trying ─1xx─▶ proceeding ─final─▶ completed ─Timer J─▶ gone
 * (Timers I and J are zero over a reliable flow). Every move goes through the one
 * `transition()` of each machine; what the tables lack (a response after the final one,
 * an ACK to a 2xx matched as a non-2xx ACK) is dropped, as §17.2 asks.
 */
export const INVITE_SERVER_EVENTS = [
  'provisional', // the TU sends a 1xx
  'success', // the TU sends a 2xx
  'failure', // the TU sends a 300-699
  'request_retransmit', // the INVITE again
  'ack', // the ACK of a non-2xx (same transaction)
  'ack_2xx', // the end-to-end ACK of a 2xx (its own branch, matched by Call-ID + CSeq)
  'retransmit_timer', // Timer G fired
  'ack_timeout', // Timer H fired: the final answer was never ACKed
  'linger_end', // Timer I fired
] as const;
export type InviteServerEvent = (typeof INVITE_SERVER_EVENTS)[number];
export const INVITE_SERVER_STATES = ['proceeding', 'completed', 'confirmed', 'accepted', 'terminated'] as const;
export type InviteServerState = (typeof INVITE_SERVER_STATES)[number];

export const INVITE_SERVER_TRANSITIONS: TransitionTable<InviteServerState, InviteServerEvent> = {
  proceeding: { provisional: 'proceeding', success: 'accepted', failure: 'completed', request_retransmit: 'proceeding' },
  completed: { request_retransmit: 'completed', ack: 'confirmed', retransmit_timer: 'completed', ack_timeout: 'terminated' },
  confirmed: { request_retransmit: 'confirmed', ack: 'confirmed', linger_end: 'terminated' },
  accepted: { request_retransmit: 'accepted', ack_2xx: 'terminated', retransmit_timer: 'accepted', ack_timeout: 'terminated' },
  terminated: {},
};

export const NON_INVITE_SERVER_EVENTS = ['provisional', 'final', 'request_retransmit', 'linger_end'] as const;
export type NonInviteServerEvent = (typeof NON_INVITE_SERVER_EVENTS)[number];
export const NON_INVITE_SERVER_STATES = ['trying', 'proceeding', 'completed', 'terminated'] as const;
export type NonInviteServerState = (typeof NON_INVITE_SERVER_STATES)[number];

export const NON_INVITE_SERVER_TRANSITIONS: TransitionTable<NonInviteServerState, NonInviteServerEvent> = {
  trying: { provisional: 'proceeding', final: 'completed', request_retransmit: 'trying' },
  proceeding: { provisional: 'proceeding', final: 'completed', request_retransmit: 'proceeding' },
  completed: { request_retransmit: 'completed', linger_end: 'terminated' },
  terminated: {},
};

/** The next state of an INVITE or a non-INVITE server transaction. Never throws. */
export function transition(machine: 'invite', state: InviteServerState, event: InviteServerEvent): TransitionResult<InviteServerState>;
export function transition(machine: 'non-invite', state: NonInviteServerState, event: NonInviteServerEvent): TransitionResult<NonInviteServerState>;
export function transition(
  machine: 'invite' | 'non-invite',
  state: InviteServerState | NonInviteServerState,
  event: InviteServerEvent | NonInviteServerEvent,
): TransitionResult<InviteServerState | NonInviteServerState> {
  return machine === 'invite'
    ? lookUpTransition('invite server transaction', INVITE_SERVER_TRANSITIONS, state as InviteServerState, event as InviteServerEvent)
    : lookUpTransition('non-invite server transaction', NON_INVITE_SERVER_TRANSITIONS, state as NonInviteServerState, event as NonInviteServerEvent);
}

export class ServerInvite {
  final: SipResponse | null = null;
  last: SipResponse | null = null;
  onCancel: (() => void) | null = null;
  /** Called when a final answer was never ACKed (Timer H). */
  onAckTimeout: (() => void) | null = null;
  private current: InviteServerState = 'proceeding';
  retransmit: NodeJS.Timeout | null = null;
  timeout: NodeJS.Timeout | null = null;
  interval = 0;

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly flow: Flow,
    private readonly owner: ServerTransactions,
  ) {}

  get state(): InviteServerState {
    return this.current;
  }

  /** Moves on `event`; false (and no move) when the table lacks it. */
  apply(event: InviteServerEvent): boolean {
    const r = transition('invite', this.current, event);
    if (r.ok) this.current = r.next;
    return r.ok;
  }

  /** Sends a response; a final one completes the transaction. A second 100 is dropped. */
  respond(res: SipResponse): void {
    if (res.status === 100 && this.last) return;
    if (!this.apply(res.status < 200 ? 'provisional' : res.status < 300 ? 'success' : 'failure')) return;
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
  private current: NonInviteServerState = 'trying';

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly flow: Flow,
    private readonly owner: ServerTransactions,
  ) {}

  get state(): NonInviteServerState {
    return this.current;
  }

  apply(event: NonInviteServerEvent): boolean {
    const r = transition('non-invite', this.current, event);
    if (r.ok) this.current = r.next;
    return r.ok;
  }

  /** Sends a response; the first final one completes the transaction, later ones are dropped. */
  respond(res: SipResponse): void {
    if (!this.apply(res.status < 200 ? 'provisional' : 'final')) return;
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

  /** Starts an INVITE transaction; null when this INVITE is a retransmission (absorbed here). */
  begin(req: SipRequest, flow: Flow): ServerInvite | null {
    const k = ServerTransactions.keyOf(req, 'INVITE');
    const known = this.invites.get(k);
    if (known) {
      // a retransmitted INVITE: the last response goes out again (§17.2.1), except once confirmed
      const from = known.state;
      if (known.apply('request_retransmit') && known.last && from !== 'confirmed') known.flow.send(known.last);
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
    if (!st) return false;
    const from = st.state;
    if (!st.apply('ack')) return false;
    if (from === 'completed') {
      st.clear();
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
    st.apply('ack_2xx');
    this.forget(st);
    return st;
  }

  completed(st: ServerInvite): void {
    const final = st.final!;
    const unreliable = !st.flow.reliable;
    if (st.state === 'accepted') this.accepted.set(acceptedKey(st.request), st);
    if (unreliable) {
      // Timer G: the final answer again until the ACK (T1 doubling, capped at T2)
      st.interval = this.timers.t1Ms;
      const again = () => {
        st.retransmit = setTimeout(() => {
          if (!st.apply('retransmit_timer')) return;
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
      const waiting = st.apply('ack_timeout');
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
      if (known.apply('request_retransmit') && known.last) known.flow.send(known.last);
      return null;
    }
    const t = new NonInviteTx(k, req, flow, this);
    this.others.set(k, t);
    return t;
  }

  nonInviteCompleted(t: NonInviteTx): void {
    const end = () => {
      t.apply('linger_end');
      if (this.others.get(t.key) === t) this.others.delete(t.key);
    };
    if (t.flow.reliable) return end();
    // Timer J: absorb retransmissions of the request for 64*T1
    t.timeout = setTimeout(end, 64 * this.timers.t1Ms);
  }

  /** Transactions held, INVITEs awaiting their ACK included (monitoring; tests check nothing leaks). */
  get size(): number {
    return this.invites.size + this.accepted.size + this.others.size;
  }

  stop(): void {
    for (const st of this.invites.values()) st.clear();
    for (const t of this.others.values()) if (t.timeout) clearTimeout(t.timeout);
    this.invites.clear();
    this.accepted.clear();
    this.others.clear();
  }

  /** Timer I: the confirmed transaction ends after `ms`. */
  private after(st: ServerInvite, ms: number): void {
    const end = () => {
      st.apply('linger_end');
      this.forget(st);
    };
    if (ms <= 0) return end();
    st.timeout = setTimeout(end, ms);
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
