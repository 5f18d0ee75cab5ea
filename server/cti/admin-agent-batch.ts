import type { AgentView } from '../contracts/socket-events';

/**
 * Operators' changes for the supervision pages, sent as one `admin:agents` message per turn of
 * the event loop instead of one `admin:agent` per change: each operator's latest view only. When
 * 2,000 operators change at once (a shift's start, everyone Not ready for a briefing), each
 * supervisor gets a handful of messages instead of 2,000 — fewer writes for the CTI, and one
 * render instead of 2,000 map copies for each supervisor's page. The wait is at most the rest
 * of the loop's turn (setImmediate), so nothing a person could see is delayed.
 */
export class AdminAgentBatch {
  private pending = new Map<string, AgentView>();
  private scheduled = false;

  constructor(private readonly send: (views: AgentView[]) => void) {}

  add(view: AgentView): void {
    // a second change in the same turn replaces the first: supervisors only need where it ended
    this.pending.delete(view.operatorId);
    this.pending.set(view.operatorId, view);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Sends what is pending now (the scheduled flush, or a caller that must not wait). */
  flush(): void {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    const views = [...this.pending.values()];
    this.pending = new Map();
    this.send(views);
  }
}
