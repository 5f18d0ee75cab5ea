import type { Logger } from '../log';
import type { AgentState } from '../contracts/agent';
import type { TimelineEvent } from '../contracts/call';
import type { CallRowPatch, CtiStore, NewCallRow } from './ports/cti-store';

/**
 * What the CTI writes down, after it has decided: each call's row and timeline, each operator's
 * state log. Writes are queued, never awaited by a decision: one ordered chain per call and one
 * per operator, so the stored order is the order of events. A failed write is logged, not
 * retried: the call goes on.
 */
export class Journal {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly store: CtiStore,
    private readonly now: () => number,
  ) {}

  /** The journal of one call (create it when the call arrives). */
  call(callId: string, log: Logger): CallJournal {
    return new CallJournal(callId, this.store, this.now, new WriteChain(this.pending, log), log);
  }

  /** The state log of one operator (create it when they sign in). */
  agent(operatorId: string, log: Logger): AgentJournal {
    return new AgentJournal(operatorId, this.store, new WriteChain(this.pending, log));
  }

  /** Resolves when every write queued so far has finished (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

/** One ordered chain of writes; each failure is logged on the owner's logger. */
class WriteChain {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly pending: Set<Promise<void>>,
    private readonly log: Logger,
  ) {}

  write(fn: () => Promise<void>): void {
    const p = this.tail.then(fn).catch((err: unknown) => this.log.error({ err }, 'database write failed'));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    this.tail = p;
  }
}

export class CallJournal {
  private seq = 0;

  constructor(
    private readonly callId: string,
    private readonly store: CtiStore,
    private readonly now: () => number,
    private readonly chain: WriteChain,
    private readonly log: Logger,
  ) {}

  created(row: Omit<NewCallRow, 'id'>): void {
    this.chain.write(() => this.store.createCall({ id: this.callId, ...row }));
  }

  updated(patch: CallRowPatch): void {
    this.chain.write(() => this.store.updateCall(this.callId, patch));
  }

  /** Appends a timeline event; `seq` is taken now, so the stored order is the order of events. */
  event(type: TimelineEvent, data?: Record<string, unknown>): void {
    const seq = ++this.seq;
    const at = new Date(this.now());
    this.log.debug({ seq, type, ...data }, 'timeline');
    this.chain.write(() => this.store.appendCallEvent({ callId: this.callId, seq, type, at, ...(data ? { data } : {}) }));
  }
}

export class AgentJournal {
  constructor(
    private readonly operatorId: string,
    private readonly store: CtiStore,
    private readonly chain: WriteChain,
  ) {}

  stateChanged(from: AgentState, to: AgentState, reason: string, at: number): void {
    this.chain.write(() => this.store.logAgentState({ userId: this.operatorId, from, to, reason, at: new Date(at) }));
  }
}
