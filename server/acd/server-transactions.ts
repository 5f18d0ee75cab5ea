import { parseVia } from './sip/headers';
import type { SipRequest, SipResponse } from './sip/message';
import type { Flow } from './transport/flow';

/**
 * Inbound INVITE server transactions (RFC 3261 §17.2.1) over a reliable transport: they
 * exist to match CANCELs and the ACKs of non-2xx answers, and to ignore a resent INVITE.
 */
export class ServerInvite {
  final: SipResponse | null = null;
  onCancel: (() => void) | null = null;

  constructor(
    readonly branch: string,
    readonly request: SipRequest,
    readonly flow: Flow,
    private readonly owner: ServerTransactions,
  ) {}

  /** Sends a response; a final one completes the transaction. */
  respond(res: SipResponse): void {
    if (this.final) return;
    if (res.status >= 200) {
      this.final = res;
      this.onCancel = null;
      this.owner.completed(this, res.status < 300);
    }
    this.flow.send(res);
  }

  get answered(): boolean {
    return this.final !== null;
  }
}

export class ServerTransactions {
  private readonly byBranch = new Map<string, ServerInvite>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly lingerMs: number) {}

  static branchOf(req: SipRequest): string {
    const via = parseVia(req.headers.get('Via') ?? '');
    const branch = via?.params.get('branch') ?? '';
    return `${branch}\u0000${via?.host ?? ''}:${via?.port ?? ''}\u0000${req.headers.get('Call-ID') ?? ''}`;
  }

  /** Starts a transaction; null when this INVITE is a resend of one in progress. */
  begin(req: SipRequest, flow: Flow): ServerInvite | null {
    const b = ServerTransactions.branchOf(req);
    if (this.byBranch.has(b)) return null;
    const st = new ServerInvite(b, req, flow, this);
    this.byBranch.set(b, st);
    return st;
  }

  /** The transaction a CANCEL or a non-2xx ACK belongs to. */
  match(req: SipRequest): ServerInvite | undefined {
    return this.byBranch.get(ServerTransactions.branchOf(req));
  }

  completed(st: ServerInvite, success: boolean): void {
    if (success) {
      this.byBranch.delete(st.branch);
      return;
    }
    // keep a failed INVITE a while to absorb its ACK
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.byBranch.delete(st.branch);
    }, this.lingerMs);
    this.timers.add(t);
  }

  acked(st: ServerInvite): void {
    this.byBranch.delete(st.branch);
  }

  /** Pending (unanswered) INVITEs that arrived on a flow. */
  pendingOn(flow: Flow): ServerInvite[] {
    return [...this.byBranch.values()].filter((s) => s.flow === flow && !s.answered);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.byBranch.clear();
  }
}
