import type { AgentRoster } from './agent-roster';
import type { LiveCall } from './call-book';
import type { ReservationStore } from './ports/reservation-store';

/** How long an operator another node holds is left out of this node's passes (they are on a call there). */
const HELD_ELSEWHERE_MS = 2_000;

/** The store's answer for one offer: whom this node got, whom another node holds. */
export interface ClaimAnswer {
  got: string[];
  refused: string[];
  /** when the refused ones may be tried again */
  retryAt: number | null;
}

/**
 * The round trip to the reservation store (atomic across CTI nodes) before an offer: which
 * operators and calls are being decided now (no routing pass takes them meanwhile), and which
 * operators another node holds (left out of the passes for a while). The router decides what to
 * do with the answer; this only keeps the books of the asking.
 */
export class OperatorClaims {
  /** operators and calls whose reservation the store is deciding */
  private readonly claiming = new Set<string>();
  private readonly claimingCalls = new WeakSet<LiveCall>();
  /** operators the store said another node holds (signed in there too): not picked again until then */
  private readonly heldElsewhere = new Map<string, number>();

  constructor(
    private readonly store: ReservationStore,
    private readonly now: () => number,
  ) {}

  get nodeId(): string {
    return this.store.nodeId;
  }

  /** A call whose claim is in flight: routing leaves it alone until the store answers. */
  isClaimingCall(call: LiveCall): boolean {
    return this.claimingCalls.has(call);
  }

  isClaiming(operatorId: string): boolean {
    return this.claiming.has(operatorId);
  }

  /** The roster's picture with the operators being claimed, or held by another node, as busy. */
  mask(candidates: ReturnType<AgentRoster['candidates']>, now: number): ReturnType<AgentRoster['candidates']> {
    for (const [id, until] of this.heldElsewhere) {
      if (until <= now) this.heldElsewhere.delete(id);
      else {
        const c = candidates.get(id);
        if (c) candidates.set(id, { ...c, state: 'reserved' });
      }
    }
    for (const id of this.claiming) {
      const c = candidates.get(id);
      if (c) candidates.set(id, { ...c, state: 'reserved' });
    }
    return candidates;
  }

  /** Asks the store for the operators; `answered` runs once it says (at once for the in-memory store). */
  claim(call: LiveCall, operatorIds: string[], answered: (a: ClaimAnswer) => void): void {
    const answer = this.store.reserve(operatorIds.map((operatorId) => ({ operatorId, callId: call.id })));
    if (Array.isArray(answer)) return answered(this.sorted(operatorIds, answer));
    this.claimingCalls.add(call);
    for (const id of operatorIds) this.claiming.add(id);
    void answer.then((granted) => {
      this.claimingCalls.delete(call);
      for (const id of operatorIds) this.claiming.delete(id);
      answered(this.sorted(operatorIds, granted));
    });
  }

  /** Gives an operator back to the store (not offered after all). */
  release(operatorId: string): void {
    void this.store.release(operatorId);
  }

  private sorted(operatorIds: string[], granted: boolean[]): ClaimAnswer {
    const got = operatorIds.filter((_, i) => granted[i]);
    const refused = operatorIds.filter((_, i) => !granted[i]);
    if (refused.length === 0) return { got, refused, retryAt: null };
    const until = this.now() + HELD_ELSEWHERE_MS;
    for (const id of refused) this.heldElsewhere.set(id, until);
    return { got, refused, retryAt: until };
  }
}
