import type { Hold, ReservationStore, ReserveRequest } from '../ports/reservation-store';

/**
 * The embedded default (one CTI node): holds in a Map. Every node sharing one instance (tests)
 * sees the same holds; `kill()` makes a node's holds lapse as a dead node's do in Redis.
 */
export class MemoryReservations {
  private readonly holds = new Map<string, Hold>();
  private readonly dead = new Set<string>();

  /** A store handle for one node. */
  node(nodeId: string, shared = true): ReservationStore {
    return new MemoryReservationStore(this, nodeId, shared);
  }

  /** The node stopped heart-beating: its holds no longer count. */
  kill(nodeId: string): void {
    this.dead.add(nodeId);
  }

  /** @internal */ live(operatorId: string): Hold | null {
    const h = this.holds.get(operatorId);
    return h && !this.dead.has(h.nodeId) ? h : null;
  }

  /** @internal */ set(operatorId: string, hold: Hold): void {
    this.holds.set(operatorId, hold);
  }

  /** @internal */ delete(operatorId: string): void {
    this.holds.delete(operatorId);
  }

  /** @internal */ releaseAll(nodeId: string): void {
    for (const [id, h] of this.holds) if (h.nodeId === nodeId) this.holds.delete(id);
  }
}

class MemoryReservationStore implements ReservationStore {
  private closed = false;
  /** a MemoryReservations serves nodes in one process (tests); none of them owns the database alone */
  readonly shared: boolean;

  constructor(
    private readonly pool: MemoryReservations,
    readonly nodeId: string,
    shared: boolean,
  ) {
    this.shared = shared;
  }

  reserve(requests: readonly ReserveRequest[]): boolean[] {
    return requests.map((r) => !this.closed && this.reserveOne(r));
  }

  private reserveOne(r: ReserveRequest): boolean {
    const h = this.pool.live(r.operatorId);
    if (h && h.nodeId !== this.nodeId) return false;
    this.pool.set(r.operatorId, { nodeId: this.nodeId, callId: r.callId });
    return true;
  }

  release(operatorId: string): Promise<void> {
    if (this.pool.live(operatorId)?.nodeId === this.nodeId) this.pool.delete(operatorId);
    return Promise.resolve();
  }

  take(operatorId: string, callId: string): Promise<void> {
    if (!this.closed) this.pool.set(operatorId, { nodeId: this.nodeId, callId });
    return Promise.resolve();
  }

  holder(operatorId: string): Promise<Hold | null> {
    return Promise.resolve(this.pool.live(operatorId));
  }

  close(): Promise<void> {
    this.closed = true;
    this.pool.releaseAll(this.nodeId);
    return Promise.resolve();
  }
}

/** One node on its own (the embedded default). */
export function memoryReservationStore(nodeId = 'cti-1'): ReservationStore {
  return new MemoryReservations().node(nodeId, false);
}
