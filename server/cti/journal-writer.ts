import type { Logger } from '../log';
import type { AgentStateRow, CallEventRow, CallRow, CtiStore, JournalBatch } from './ports/cti-store';

export interface JournalWriterOptions {
  /** how long a row may wait for its batch (the write-behind's delay) */
  intervalMs?: number;
  /** rows that start a batch at once instead of waiting for the interval */
  batchRows?: number;
  /** rows held at most while the database is unreachable; past it the oldest are dropped (and counted) */
  maxHeldRows?: number;
  /** retry delay after a failed batch: doubles from `retryMs` up to `maxRetryMs` */
  retryMs?: number;
  maxRetryMs?: number;
  /** told of each batch written or failed, with its rows and how long it took (/metrics); MUST NOT throw */
  onBatch?: (rows: number, ms: number, ok: boolean) => void;
  /**
   * told, after a batch committed, of the call rows it stored (the history's live update); one
   * call per batch that holds call rows, never per row; MUST NOT throw (a throw is logged)
   */
  onCallsStored?: (calls: readonly CallRow[]) => void;
}

/**
 * The journal's write-behind: rows are held in memory and written in batches — every `intervalMs`
 * or every `batchRows` rows, whichever comes first — each batch one transaction of multi-row
 * statements (the store's `writeJournal`). One batch is in flight at a time and rows keep the
 * order they were given in, so a call's events are stored in the order they happened and never
 * before the call's row.
 *
 * A call's row is held by reference: a call that changes five times before its batch is written
 * once, as it is then. When the database is unreachable the batch goes back to the front and is
 * retried with a growing delay, while new rows queue behind it up to `maxHeldRows`; past that the
 * oldest events and states are dropped, counted and logged — memory stays bounded and the CTI
 * never stops taking calls for its journal. A batch the database refuses while it answers (bad
 * data) is retried twice more, then dropped and logged, so one bad row cannot hold the rest up.
 */
export class JournalWriter {
  private calls = new Map<string, CallRow>();
  private events: CallEventRow[] = [];
  private states: AgentStateRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private retryDelay = 0;
  private refusals = 0;
  private failingSince: number | null = null;
  private lastFailureLog = 0;
  private dropped = 0;
  /** callbacks waiting for the rows queued when they were asked (the next batch), and the batch in flight's */
  private waiting: Array<() => void> = [];
  private inFlightCallbacks: Array<() => void> = [];
  private readonly o: Required<Omit<JournalWriterOptions, 'onBatch' | 'onCallsStored'>> & Pick<JournalWriterOptions, 'onBatch' | 'onCallsStored'>;

  constructor(
    private readonly store: Pick<CtiStore, 'writeJournal' | 'ping'>,
    private readonly log: Logger,
    opts: JournalWriterOptions = {},
  ) {
    this.o = { intervalMs: 150, batchRows: 2000, maxHeldRows: 200_000, retryMs: 250, maxRetryMs: 5000, ...opts };
  }

  private inFlightRows = 0;

  /** Rows not yet written: waiting, or in the batch being written. */
  get held(): number {
    return this.queued() + this.inFlightRows;
  }

  private queued(): number {
    return this.calls.size + this.events.length + this.states.length;
  }

  /** Rows dropped because the database stayed unreachable past `maxHeldRows`. */
  get droppedRows(): number {
    return this.dropped;
  }

  /** The call's row changed (it is read when its batch is written). */
  call(row: CallRow): void {
    // moved to the end: the map stays oldest-changed first (what a full buffer drops first)
    this.calls.delete(row.id);
    this.calls.set(row.id, row);
    this.added();
  }

  event(ev: CallEventRow): void {
    this.events.push(ev);
    this.added();
  }

  agentState(row: AgentStateRow): void {
    this.states.push(row);
    this.added();
  }

  /**
   * Writes everything held now; resolves when it is written, or after `timeoutMs` with what is
   * still held counted in the log (a clean stop with the database away). Returns the rows left.
   */
  /**
   * Runs `fn` once every row given so far has been written (or given up on): for writes outside
   * the journal that must follow a call's row, such as its recording's row (a foreign key).
   */
  afterWritten(fn: () => void): void {
    if (this.queued() > 0) this.waiting.push(fn);
    else if (this.writing) this.inFlightCallbacks.push(fn);
    else queueMicrotask(fn);
  }

  async flush(timeoutMs = Infinity): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.queued() > 0 || this.writing) {
      if (Date.now() >= deadline) break;
      if (!this.writing) this.writeNow();
      const left = deadline - Date.now();
      await (Number.isFinite(left) ? Promise.race([this.writing, sleep(Math.max(0, left))]) : this.writing);
      if (this.queued() > 0 && this.retryDelay > 0 && !this.writing) await sleep(Math.min(this.retryDelay, Math.max(0, deadline - Date.now())));
    }
    if (this.held > 0) this.log.error({ rows: this.held }, 'journal rows not written before the stop: the database did not answer');
    return this.held;
  }

  private added(): void {
    const held = this.held;
    if (held > this.o.maxHeldRows) this.dropOldest();
    if (this.writing) return;
    // a full batch goes at once, unless a failed one is waiting out its retry delay
    if (held >= this.o.batchRows && this.retryDelay === 0) queueMicrotask(() => this.writeNow());
    else this.schedule(this.o.intervalMs);
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.writeNow();
    }, ms);
    this.timer.unref();
  }

  private writeNow(): void {
    if (this.writing || this.queued() === 0) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch: JournalBatch = { calls: [...this.calls.values()], events: this.events, agentStates: this.states };
    this.calls = new Map();
    this.events = [];
    this.states = [];
    this.inFlightRows = batch.calls.length + batch.events.length + batch.agentStates.length;
    this.inFlightCallbacks = this.waiting;
    this.waiting = [];
    this.writing = this.write(batch).finally(() => {
      this.inFlightRows = 0;
      this.writing = null;
      const queued = this.queued();
      if (queued > 0) this.schedule(this.retryDelay || (queued >= this.o.batchRows ? 0 : this.o.intervalMs));
    });
  }

  private async write(batch: JournalBatch): Promise<void> {
    const rows = batch.calls.length + batch.events.length + batch.agentStates.length;
    const t0 = performance.now();
    try {
      await this.store.writeJournal(batch);
      this.o.onBatch?.(rows, performance.now() - t0, true);
      if (this.failingSince !== null) this.log.info({ rows, outageMs: Date.now() - this.failingSince, dropped: this.dropped }, 'journal writes resumed');
      this.failingSince = null;
      this.retryDelay = 0;
      this.refusals = 0;
      this.log.debug({ rows, calls: batch.calls.length, events: batch.events.length, agentStates: batch.agentStates.length }, 'journal batch written');
      if (batch.calls.length > 0 && this.o.onCallsStored) {
        try {
          this.o.onCallsStored(batch.calls);
        } catch (err) {
          this.log.error({ err }, 'the stored-calls listener threw');
        }
      }
      this.runCallbacks();
    } catch (err) {
      this.o.onBatch?.(rows, performance.now() - t0, false);
      const reachable = await this.store.ping().then(
        () => true,
        () => false,
      );
      if (reachable && ++this.refusals >= 3) {
        this.refusals = 0;
        this.retryDelay = 0;
        this.log.error({ err, rows }, 'the database refused a journal batch three times; dropped it');
        this.runCallbacks();
        return;
      }
      this.inFlightRows = 0;
      this.putBack(batch);
      this.waiting = this.inFlightCallbacks.concat(this.waiting);
      this.inFlightCallbacks = [];
      this.retryDelay = Math.min(this.o.maxRetryMs, Math.max(this.o.retryMs, this.retryDelay * 2));
      const now = Date.now();
      this.failingSince ??= now;
      if (now - this.lastFailureLog >= 10_000) {
        this.lastFailureLog = now;
        this.log.error({ err, held: this.held, retryMs: this.retryDelay, reachable }, 'journal write failed; rows held and retried');
      }
    }
  }

  private runCallbacks(): void {
    const done = this.inFlightCallbacks;
    this.inFlightCallbacks = [];
    for (const fn of done) {
      try {
        fn();
      } catch (err) {
        this.log.error({ err }, 'a callback after a journal batch failed');
      }
    }
  }

  /** A failed batch goes back in front of what arrived meanwhile (a newer row of a call wins). */
  private putBack(b: JournalBatch): void {
    const calls = new Map(b.calls.map((c) => [c.id, c]));
    for (const [id, row] of this.calls) {
      calls.delete(id);
      calls.set(id, row);
    }
    this.calls = calls;
    this.events = b.events.concat(this.events);
    this.states = b.agentStates.concat(this.states);
    if (this.held > this.o.maxHeldRows) this.dropOldest();
  }

  /** Over the bound: drops a tenth of the oldest events and states (call rows go last, with their events). */
  private dropOldest(): void {
    const excess = this.held - this.o.maxHeldRows + Math.ceil(this.o.maxHeldRows / 10);
    let n = 0;
    const fromEvents = Math.min(excess, this.events.length);
    this.events.splice(0, fromEvents);
    n += fromEvents;
    const fromStates = Math.min(excess - n, this.states.length);
    this.states.splice(0, fromStates);
    n += fromStates;
    if (n < excess) {
      const gone = new Set<string>();
      for (const id of this.calls.keys()) {
        if (n >= excess) break;
        gone.add(id);
        n++;
      }
      for (const id of gone) this.calls.delete(id);
    }
    this.dropped += n;
    this.log.error({ dropped: n, droppedTotal: this.dropped, held: this.held }, 'journal buffer full while the database is unreachable; dropped the oldest rows');
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
