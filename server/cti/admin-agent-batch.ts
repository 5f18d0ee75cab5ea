import type { AgentView } from '../contracts/socket-events';

/**
 * Operators' changes for the supervision pages, sent as one `admin:agents` message per turn of
 * the event loop instead of one `admin:agent` per change: each operator's latest view only. When
 * 2,000 operators change at once (a shift's start, everyone Not ready for a briefing), each
 * supervisor gets a handful of messages instead of 2,000 — fewer writes for the CTI, and one
 * render instead of 2,000 map copies for each supervisor's page. A batch goes at the end of
 * the loop's turn (setImmediate) or once it holds `maxBatch` views, whichever comes first: a busy
 * turn (200 changes handled in one poll phase on a loaded machine took ~100 ms) must not hold
 * its first change until its last one (measured: supervisors' p99 97 ms with the turn alone).
 */
export class AdminAgentBatch {
  private pending = new Map<string, AgentView>();
  private scheduled = false;

  constructor(
    private readonly send: (views: AgentView[]) => void,
    private readonly maxBatch = 50,
  ) {}

  add(view: AgentView): void {
    // a second change in the same turn replaces the first: supervisors only need where it ended
    this.pending.delete(view.operatorId);
    this.pending.set(view.operatorId, view);
    if (this.pending.size >= this.maxBatch) return this.flush();
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Sends what is pending now (the scheduled flush, or a caller that must not wait). */
  flush(): void {
    if (this.pending.size === 0) return;
    const views = [...this.pending.values()];
    this.pending = new Map();
    this.send(views);
  }
}
