import type { Logger } from '../log';
import type { AgentState } from '../contracts/agent';
import type { TimelineEvent } from '../contracts/call';
import { JournalWriter, type JournalWriterOptions } from './journal-writer';
import type { CallEventRow, CallRow, CallRowPatch, CtiStore, NewCallRow } from './ports/cti-store';
import { foldFigureEvent, noFigureEvents } from './domain/queue-figures';
import type { FinishedRecording, RecordingsPort } from './ports/recordings-port';

/**
 * What the CTI writes down, after it has decided: each call's row and timeline, each operator's
 * state log. Nothing here is awaited by a decision: rows go to the write-behind
 * (`journal-writer.ts`), which writes them in batches, in the order they were given (so the
 * stored order is the order of events), and retries through a database outage.
 */
/**
 * Sees every call row and event as it is given to the write-behind (the wallboard's queue figures
 * follow the journal, so they are made of exactly what gets stored). MUST NOT throw or keep the row:
 * it is the writer's live reference.
 */
export interface JournalObserver {
  call(row: Readonly<CallRow>): void;
  event(ev: Readonly<CallEventRow>): void;
}

export class Journal {
  private readonly writer: JournalWriter;
  private readonly observers: JournalObserver[] = [];
  /** recording rows being stored (each after its call's row is written) */
  private readonly pendingRecordings = new Set<Promise<void>>();

  constructor(
    store: Pick<CtiStore, 'writeJournal' | 'ping'>,
    private readonly now: () => number,
    log: Logger,
    opts?: JournalWriterOptions,
    private readonly recordings: RecordingsPort | null = null,
  ) {
    this.writer = new JournalWriter(store, log.child({ module: 'journal' }), opts);
  }

  /** The journal of one call (create it when the call arrives). */
  call(callId: string, log: Logger): CallJournal {
    return new CallJournal(callId, this.writer, this.now, log, this.recordings ? { port: this.recordings, pending: this.pendingRecordings } : null, this.observers);
  }

  /** The journal of a call stored before a restart: its timeline goes on after `lastSeq`, its row is written whole again. */
  resume(callId: string, log: Logger, row: CallRow, lastSeq: number): CallJournal {
    const j = this.call(callId, log);
    j.resumed(row, lastSeq);
    return j;
  }

  observe(o: JournalObserver): void {
    this.observers.push(o);
  }

  /** The state log of one operator (create it when they sign in). */
  agent(operatorId: string): AgentJournal {
    return new AgentJournal(operatorId, this.writer);
  }

  /** Rows not yet written (waiting or in the batch in flight), and rows dropped during an outage: read by /metrics. */
  get backlog(): { held: number; dropped: number } {
    return { held: this.writer.held, dropped: this.writer.droppedRows };
  }

  /** Resolves when every row given so far is written (tests), or after `timeoutMs` (a stop); returns the rows left. */
  async flush(timeoutMs?: number): Promise<number> {
    const left = await this.writer.flush(timeoutMs);
    while (this.pendingRecordings.size > 0) await Promise.all([...this.pendingRecordings]);
    return left;
  }
}

export class CallJournal {
  private seq = 0;
  private row: CallRow | null = null;
  /** the figures' fold of the events so far, stored on the row (its summary columns) */
  private readonly figures = noFigureEvents();

  constructor(
    private readonly callId: string,
    private readonly writer: JournalWriter,
    private readonly now: () => number,
    private readonly log: Logger,
    private readonly recordings: { port: RecordingsPort; pending: Set<Promise<void>> } | null,
    private readonly observers: readonly JournalObserver[] = [],
  ) {}

  private tell(fn: (o: JournalObserver) => void): void {
    for (const o of this.observers) {
      try {
        fn(o);
      } catch (err) {
        this.log.error({ err }, 'a journal observer threw');
      }
    }
  }

  /** A recorded call ended: its recording's row is stored once the call's own row is written (its foreign key). */
  recorded(r: FinishedRecording): void {
    const recordings = this.recordings;
    if (!recordings) {
      this.log.warn({ recording: r.fileName }, 'call recorded but no recording catalog is wired; no row stored');
      return;
    }
    let done!: () => void;
    const p = new Promise<void>((resolve) => (done = resolve));
    recordings.pending.add(p);
    this.writer.afterWritten(() => {
      recordings.port
        .recorded(r)
        .catch((err: unknown) => this.log.error({ err, recording: r.fileName }, 'recording row not stored'))
        .finally(() => {
          recordings.pending.delete(p);
          done();
        });
    });
  }

  created(row: Omit<NewCallRow, 'id'>): void {
    const r: CallRow = { id: this.callId, ...row, operatorId: null, offeredAt: null, answeredAt: null, endedAt: null, endedBy: null, outcome: null, notes: null, dispositionCode: null, wrapUpExtended: false, wrapUpEndedAt: null, figures: this.figures };
    this.row = r;
    this.writer.call(r);
    this.tell((o) => o.call(r));
  }

  /** Takes over a stored row (recovery): nothing is written until the next change. */
  resumed(row: CallRow, lastSeq: number): void {
    if (row.figures) Object.assign(this.figures, row.figures);
    this.row = { ...row, figures: this.figures };
    this.seq = lastSeq;
  }

  /** The row and the timeline's position, for another CTI node that takes the call over (cross-node-routing.ts). */
  snapshot(): { row: CallRow | null; seq: number } {
    return { row: this.row ? { ...this.row } : null, seq: this.seq };
  }

  updated(patch: CallRowPatch): void {
    if (!this.row) throw new Error(`call ${this.callId} updated before it was created`);
    // the writer holds the row by reference: the batch writes it as it is then
    const r = Object.assign(this.row, patch);
    this.writer.call(r);
    this.tell((o) => o.call(r));
  }

  /** Appends a timeline event; `seq` is taken now, so the stored order is the order of events. */
  event(type: TimelineEvent, data?: Record<string, unknown>): void {
    const seq = ++this.seq;
    const at = new Date(this.now());
    this.log.debug({ seq, type, ...data }, 'timeline');
    const ev: CallEventRow = { callId: this.callId, seq, type, at, ...(data ? { data } : {}) };
    this.writer.event(ev);
    // an answer or a transfer changes the row's summary: the row goes (again) with the event's batch, no read
    if (foldFigureEvent(this.figures, type, at.getTime(), data) && this.row) this.writer.call(this.row);
    this.tell((o) => o.event(ev));
  }
}

export class AgentJournal {
  constructor(
    private readonly operatorId: string,
    private readonly writer: JournalWriter,
  ) {}

  stateChanged(from: AgentState, to: AgentState, reason: string, at: number, reasonCode: string | null = null): void {
    this.writer.agentState({ userId: this.operatorId, from, to, reason, reasonCode, at: new Date(at) });
  }
}
