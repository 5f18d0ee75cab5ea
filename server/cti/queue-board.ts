import type { Logger } from '../log';
import type { QueueTile } from '../contracts/wallboard';
import type { Agent } from './agent-roster';
import type { LiveCall } from './call-book';
import type { JournalObserver } from './call-journal';
import { addTally, callFacts, contribution, EMPTY_TALLY, periodFigures, staffing, type CallEventFacts, type CallFacts, type CallRowFacts, type StaffFacts, type Tally } from './domain/queue-figures';
import { dayOf, dayStart, nextDay } from './domain/report-day';
import type { CallRow, CallEventRow, QueueBoardSettings, QueueInfo } from './ports/cti-store';

export const BOARD_DEFAULTS: QueueBoardSettings = { slTargetPct: 80, slThresholdSec: 20, alerts: { maxWaitSec: 60, noReady: true } };

export interface QueueBoardDeps {
  queues: () => QueueInfo[];
  queue: (id: string) => QueueInfo | null;
  agents: () => Agent[];
  calls: () => LiveCall[];
  /** the stored facts of today's calls (the seed at boot); absent: the board starts empty */
  storedFacts?: (start: Date, end: Date) => Promise<CallFacts[]>;
  /** the tiles, at most every `publishMs` after a change */
  publish: (tiles: QueueTile[]) => void;
  timeZone: string;
  now: () => number;
  log: Logger;
  publishMs?: number;
}

/** One of today's calls as the board follows it: what it last saw of the row and events, and what it added. */
interface Followed {
  row: CallRowFacts;
  events: CallEventFacts[];
  queueId: string | null;
  share: Tally;
}

/**
 * The live wallboard's figures, kept in memory from the CTI's own journal (a `JournalObserver`):
 * each of today's calls keeps the contribution it added to its queue's tally; when its row or its
 * answered/transferred events change, the old contribution comes out and the new one goes in
 * (domain/queue-figures.ts). No database read per event; one read of today's stored rows at boot.
 * Waiting callers and staffing come from the live call book and roster when the tiles are built.
 * Tiles are sent at most every `publishMs` (250 ms) after a change, so a burst of events costs
 * one message, and always within a second of the event.
 */
export class QueueBoard {
  private day: string;
  /** [start, end) of `day` in the zone: a call's day is then two comparisons, not an Intl call (a few per call, on the CTI's thread) */
  private dayStartMs = 0;
  private dayEndMs = 0;
  private readonly calls = new Map<string, Followed>();
  /** per queue: the tally and the service-level seconds its contributions were counted with */
  private readonly tallies = new Map<string, { tally: Tally; slSec: number }>();
  private timer: NodeJS.Timeout | null = null;
  private midnight: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly d: QueueBoardDeps) {
    this.day = dayOf(d.now(), d.timeZone);
    this.spanDay();
    this.armMidnight();
  }

  /** What the journal tells the board. */
  readonly observer: JournalObserver = {
    call: (r) => this.rowChanged(r),
    event: (e) => this.eventAdded(e),
  };

  /** Reads today's stored calls (a restart keeps the day's figures); live calls seen meanwhile win. */
  async seed(): Promise<void> {
    if (!this.d.storedFacts) return;
    const facts = await this.d.storedFacts(new Date(this.dayStartMs), new Date(this.dayEndMs));
    let n = 0;
    for (const f of facts) {
      if (this.calls.has(f.callId) || !this.isToday(f.arrivedAt)) continue;
      this.follow(f.callId, rowOf(f), eventsOf(f));
      n++;
    }
    this.d.log.info({ calls: n, day: this.day }, "wallboard seeded from today's stored calls");
    this.poke();
  }

  /** Something the tiles show changed (an agent, a call's status): send the tiles soon. */
  poke(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      try {
        this.d.publish(this.tiles());
      } catch (err) {
        this.d.log.error({ err }, 'wallboard tiles not sent');
      }
    }, this.d.publishMs ?? 250);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.midnight) clearTimeout(this.midnight);
    this.timer = this.midnight = null;
  }

  /** Every queue's tile now, by queue name. */
  tiles(): QueueTile[] {
    const now = this.d.now();
    this.roll(now);
    const agents = new Map<string, StaffFacts>(this.d.agents().map((a) => [a.operatorId, { operatorId: a.operatorId, state: a.state, notReadyLabel: a.notReady?.label ?? null }]));
    const waiting = new Map<string, { n: number; oldest: number | null; callbacks: number }>();
    for (const c of this.d.calls()) {
      if (!c.queue || (c.status !== 'queued' && c.status !== 'offering')) continue;
      const w = waiting.get(c.queue.id) ?? { n: 0, oldest: null, callbacks: 0 };
      // a callback's caller has hung up: it waits for its turn, but nobody is on the line
      if (c.callback) w.callbacks++;
      else {
        w.n++;
        w.oldest = w.oldest === null ? c.arrivedAt : Math.min(w.oldest, c.arrivedAt);
      }
      waiting.set(c.queue.id, w);
    }
    return this.d
      .queues()
      .slice()
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((q) => {
        const s = q.board ?? BOARD_DEFAULTS;
        const w = waiting.get(q.id);
        return {
          ...periodFigures({ id: q.id, name: q.name, slThresholdSec: s.slThresholdSec, slTargetPct: s.slTargetPct }, this.tallyOf(q.id, s.slThresholdSec)),
          day: this.day,
          timeZone: this.d.timeZone,
          waiting: w?.n ?? 0,
          callbacksWaiting: w?.callbacks ?? 0,
          oldestWaitingSince: w?.oldest ?? null,
          staffing: staffing(
            q.routing.members.map((m) => m.operatorId),
            agents,
          ),
          alerts: { ...s.alerts },
        };
      });
  }

  /** A queue's tally for today, counted again if its service-level seconds changed since. */
  private tallyOf(queueId: string, slSec: number): Tally {
    const t = this.tallies.get(queueId);
    if (t && t.slSec === slSec) return t.tally;
    const fresh = { tally: { ...EMPTY_TALLY }, slSec };
    this.tallies.set(queueId, fresh);
    for (const f of this.calls.values()) {
      if (f.queueId !== queueId) continue;
      f.share = contribution(callFacts(f.row, f.events), slSec);
      addTally(fresh.tally, f.share);
    }
    return fresh.tally;
  }

  private rowChanged(r: Readonly<CallRow>): void {
    const now = this.d.now();
    this.roll(now);
    if (!this.isToday(r.arrivedAt.getTime())) return;
    // a copy: the journal's row is the write-behind's live reference
    const row: CallRowFacts = { id: r.id, queueId: r.queueId, direction: r.direction ?? 'inbound', arrivedAt: r.arrivedAt, answeredAt: r.answeredAt, endedAt: r.endedAt, outcome: r.outcome, wrapUpEndedAt: r.wrapUpEndedAt };
    const f = this.calls.get(r.id);
    if (f) this.recount(f, row, f.events);
    else this.follow(r.id, row, []);
    this.poke();
  }

  private eventAdded(e: Readonly<CallEventRow>): void {
    if (e.type !== 'answered' && e.type !== 'transferred') return;
    const f = this.calls.get(e.callId);
    if (!f) return;
    this.recount(f, f.row, [...f.events, { type: e.type, at: e.at, data: e.data }]);
    this.poke();
  }

  private follow(callId: string, row: CallRowFacts, events: CallEventFacts[]): void {
    const f: Followed = { row, events, queueId: null, share: { ...EMPTY_TALLY } };
    this.calls.set(callId, f);
    this.recount(f, row, events);
  }

  /** Takes the call's old contribution out of its queue's tally and puts the new one in. */
  private recount(f: Followed, row: CallRowFacts, events: CallEventFacts[]): void {
    if (f.queueId) {
      const old = this.tallies.get(f.queueId);
      if (old) addTally(old.tally, f.share, -1);
    }
    f.row = row;
    f.events = events;
    const facts = callFacts(row, events);
    f.queueId = facts.queueId;
    f.share = { ...EMPTY_TALLY };
    if (!facts.queueId) return;
    const q = this.d.queue(facts.queueId);
    const slSec = this.tallies.get(facts.queueId)?.slSec ?? (q?.board ?? BOARD_DEFAULTS).slThresholdSec;
    let t = this.tallies.get(facts.queueId);
    if (!t) this.tallies.set(facts.queueId, (t = { tally: { ...EMPTY_TALLY }, slSec }));
    f.share = contribution(facts, t.slSec);
    addTally(t.tally, f.share);
  }

  /** A new day on the site's clock: yesterday's calls leave the board (the report keeps them). */
  private roll(now: number): void {
    if (this.isToday(now)) return;
    const day = dayOf(now, this.d.timeZone);
    this.d.log.info({ from: this.day, to: day }, 'wallboard: a new day');
    this.day = day;
    this.spanDay();
    for (const [id, f] of this.calls) if (!this.isToday(f.row.arrivedAt.getTime())) this.calls.delete(id);
    this.tallies.clear();
    for (const f of this.calls.values()) {
      f.queueId = null;
      this.recount(f, f.row, f.events);
    }
    this.armMidnight();
  }

  /** Whether the instant is on the board's day: the same as `dayOf(ms) === day`, as the span is that day's own. */
  private isToday(ms: number): boolean {
    return ms >= this.dayStartMs && ms < this.dayEndMs;
  }

  private spanDay(): void {
    this.dayStartMs = dayStart(this.day, this.d.timeZone);
    this.dayEndMs = dayStart(nextDay(this.day), this.d.timeZone);
  }

  private armMidnight(): void {
    if (this.midnight) clearTimeout(this.midnight);
    if (this.stopped) return;
    const next = this.dayEndMs;
    // at most a day at a time (setTimeout's limit is ~24.8 days; a clock jump is caught by roll())
    this.midnight = setTimeout(() => this.poke(), Math.min(86_400_000, Math.max(1000, next - this.d.now() + 100)));
    this.midnight.unref();
  }
}

/** A stored call's facts as the row and events they came from (what later changes are folded onto). */
function rowOf(f: CallFacts): CallRowFacts {
  return { id: f.callId, queueId: f.queueId, direction: f.direction, arrivedAt: new Date(f.arrivedAt), answeredAt: f.firstAnsweredAt !== null ? new Date(f.firstAnsweredAt) : null, endedAt: f.endedAt !== null ? new Date(f.endedAt) : null, outcome: f.outcome, wrapUpEndedAt: f.wrapUpEndedAt !== null ? new Date(f.wrapUpEndedAt) : null };
}

function eventsOf(f: CallFacts): CallEventFacts[] {
  const out: CallEventFacts[] = [];
  if (f.firstAnsweredAt !== null) out.push({ type: 'answered', at: new Date(f.firstAnsweredAt), data: { queueId: f.queueId } });
  for (let i = 0; i < f.transfers; i++) out.push({ type: 'transferred', at: new Date(f.endedAt ?? f.arrivedAt) });
  return out;
}
