import type { Logger } from '../log';
import type { QueueTile } from '../contracts/wallboard';
import type { Agent } from './agent-roster';
import type { LiveCall } from './call-book';
import type { JournalObserver } from './call-journal';
import { addTally, contribution, EMPTY_TALLY, foldedCallFacts, foldFigureEvent, periodFigures, staffing, type CallFacts, type CallRowFacts, type FigureEvents, type StaffFacts, type Staffing, type Tally } from './domain/queue-figures';
import { dayOf, dayStart, nextDay } from './domain/report-day';
import type { CallRow, CallEventRow, QueueBoardSettings, QueueInfo } from './ports/cti-store';
import type { BoardExchange, NodeLiveShare, QueueLiveShare, SharedCall } from './ports/board-exchange';
import { SNAPSHOT_EVERY_MS, SNAPSHOT_STALE_MS } from './ports/routing-exchange';

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
  /** several CTI nodes: the other nodes' calls and live shares, so the tiles are the whole center's */
  exchange?: BoardExchange;
}

/** One of today's calls as the board follows it: what it last saw of the row and events, and what it added. */
interface Followed {
  row: CallRowFacts;
  /** its answered/transferred events, folded (all the figures need of the timeline) */
  ev: FigureEvents;
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
  /** several nodes: this node's call changes not yet sent, the others' live shares, what was last sent */
  private readonly outbox = new Map<string, SharedCall>();
  private readonly remote = new Map<string, { share: NodeLiveShare; json: string }>();
  private lastLive = '';
  private pruner: NodeJS.Timeout | null = null;
  private readonly offs: Array<() => void> = [];

  constructor(private readonly d: QueueBoardDeps) {
    this.day = dayOf(d.now(), d.timeZone);
    this.spanDay();
    this.armMidnight();
    const x = d.exchange;
    if (x) {
      this.offs.push(
        x.onCalls((_node, calls) => this.remoteCalls(calls)),
        x.onLive((share) => this.remoteLive(share)),
      );
      // a node that stops talking leaves the sum once its share is stale
      this.pruner = setInterval(() => this.pruneStale(), SNAPSHOT_EVERY_MS);
      this.pruner.unref();
    }
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
      this.follow(f.callId, rowOf(f), evOf(f));
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
        const own = this.ownLive();
        this.share(own);
        this.d.publish(this.tilesWith(own));
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
    if (this.pruner) clearInterval(this.pruner);
    this.timer = this.midnight = this.pruner = null;
    for (const off of this.offs.splice(0)) off();
  }

  /** Every queue's tile now, by queue name: this node's figures, plus the other nodes' live shares. */
  tiles(): QueueTile[] {
    return this.tilesWith(this.ownLive());
  }

  private tilesWith(own: ReadonlyMap<string, QueueLiveShare>): QueueTile[] {
    const now = this.d.now();
    this.roll(now);
    const live = new Map(own);
    for (const { share } of this.remote.values()) {
      if (now - share.at > SNAPSHOT_STALE_MS) continue;
      for (const r of share.queues) {
        const l = live.get(r.queueId);
        if (l) live.set(r.queueId, addLive(l, r));
      }
    }
    return this.d
      .queues()
      .slice()
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((q) => {
        const s = q.board ?? BOARD_DEFAULTS;
        const l = live.get(q.id)!;
        return {
          ...periodFigures({ id: q.id, name: q.name, slThresholdSec: s.slThresholdSec, slTargetPct: s.slTargetPct }, this.tallyOf(q.id, s.slThresholdSec)),
          day: this.day,
          timeZone: this.d.timeZone,
          waiting: l.waiting,
          callbacksWaiting: l.callbacksWaiting,
          oldestWaitingSince: l.oldestWaitingSince,
          staffing: l.staffing,
          alerts: { ...s.alerts },
        };
      });
  }

  /** This node's live part of every queue: its waiting callers, the staffing of its signed-in operators. */
  private ownLive(): Map<string, QueueLiveShare> {
    const agents = new Map<string, StaffFacts>(this.d.agents().map((a) => [a.operatorId, { operatorId: a.operatorId, state: a.state, notReadyLabel: a.notReady?.label ?? null }]));
    const out = new Map<string, QueueLiveShare>();
    for (const q of this.d.queues()) {
      out.set(q.id, {
        queueId: q.id,
        waiting: 0,
        callbacksWaiting: 0,
        oldestWaitingSince: null,
        staffing: staffing(
          q.routing.members.map((m) => m.operatorId),
          agents,
        ),
      });
    }
    for (const c of this.d.calls()) {
      if (!c.queue || (c.status !== 'queued' && c.status !== 'offering')) continue;
      const w = out.get(c.queue.id);
      if (!w) continue;
      // a callback's caller has hung up: it waits for its turn, but nobody is on the line
      if (c.callback) w.callbacksWaiting++;
      else {
        w.waiting++;
        w.oldestWaitingSince = w.oldestWaitingSince === null ? c.arrivedAt : Math.min(w.oldestWaitingSince, c.arrivedAt);
      }
    }
    return out;
  }

  /** Several nodes: this node's call changes and (when it changed) its live share, to the others. */
  private share(own: ReadonlyMap<string, QueueLiveShare>): void {
    const x = this.d.exchange;
    if (!x) return;
    if (this.outbox.size) {
      x.publishCalls([...this.outbox.values()]);
      this.outbox.clear();
    }
    const queues = [...own.values()];
    const json = JSON.stringify(queues);
    if (json === this.lastLive) return;
    this.lastLive = json;
    x.publishLive({ queues });
  }

  private remoteCalls(calls: readonly SharedCall[]): void {
    this.roll(this.d.now());
    let changed = false;
    for (const c of calls) {
      if (!this.isToday(c.arrivedAt)) continue;
      const row: CallRowFacts = {
        id: c.id,
        queueId: c.queueId,
        direction: c.direction,
        arrivedAt: new Date(c.arrivedAt),
        answeredAt: c.answeredAt === null ? null : new Date(c.answeredAt),
        endedAt: c.endedAt === null ? null : new Date(c.endedAt),
        outcome: c.outcome,
        wrapUpEndedAt: c.wrapUpEndedAt === null ? null : new Date(c.wrapUpEndedAt),
      };
      const f = this.calls.get(c.id);
      if (f) this.recount(f, row, { ...c.ev });
      else this.follow(c.id, row, { ...c.ev });
      changed = true;
    }
    if (changed) this.poke();
  }

  private remoteLive(share: NodeLiveShare): void {
    const json = JSON.stringify(share.queues);
    const had = this.remote.get(share.node);
    this.remote.set(share.node, { share, json });
    // a heartbeat with nothing new costs no message to the supervisors
    if (had?.json !== json) this.poke();
  }

  private pruneStale(): void {
    const now = this.d.now();
    let gone = false;
    for (const [node, r] of this.remote) {
      if (now - r.share.at <= SNAPSHOT_STALE_MS) continue;
      this.remote.delete(node);
      gone = true;
      this.d.log.info({ node }, "wallboard: a CTI node's share stopped coming; its callers and operators leave the tiles");
    }
    if (gone) this.poke();
  }

  /** A queue's tally for today, counted again if its service-level seconds changed since. */
  private tallyOf(queueId: string, slSec: number): Tally {
    const t = this.tallies.get(queueId);
    if (t && t.slSec === slSec) return t.tally;
    const fresh = { tally: { ...EMPTY_TALLY }, slSec };
    this.tallies.set(queueId, fresh);
    for (const f of this.calls.values()) {
      if (f.queueId !== queueId) continue;
      f.share = contribution(foldedCallFacts(f.row, f.ev), slSec);
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
    const followed = f ? this.recount(f, row, f.ev) : this.follow(r.id, row, { ...NO_EVENTS });
    this.toShare(followed);
    this.poke();
  }

  private eventAdded(e: Readonly<CallEventRow>): void {
    if (e.type !== 'answered' && e.type !== 'transferred') return;
    const f = this.calls.get(e.callId);
    if (!f) return;
    const ev = { ...f.ev };
    foldFigureEvent(ev, e.type, e.at.getTime(), e.data);
    this.toShare(this.recount(f, f.row, ev));
    this.poke();
  }

  /** Several nodes: the call's new state goes to the others with the next tiles (one entry per call per batch). */
  private toShare(f: Followed): void {
    if (!this.d.exchange) return;
    const r = f.row;
    this.outbox.set(r.id, {
      id: r.id,
      queueId: r.queueId,
      direction: r.direction === 'outbound' ? 'outbound' : 'inbound',
      arrivedAt: r.arrivedAt.getTime(),
      answeredAt: r.answeredAt?.getTime() ?? null,
      endedAt: r.endedAt?.getTime() ?? null,
      outcome: r.outcome,
      wrapUpEndedAt: r.wrapUpEndedAt?.getTime() ?? null,
      ev: { ...f.ev },
    });
  }

  private follow(callId: string, row: CallRowFacts, ev: FigureEvents): Followed {
    const f: Followed = { row, ev, queueId: null, share: { ...EMPTY_TALLY } };
    this.calls.set(callId, f);
    return this.recount(f, row, ev);
  }

  /** Takes the call's old contribution out of its queue's tally and puts the new one in. */
  private recount(f: Followed, row: CallRowFacts, ev: FigureEvents): Followed {
    if (f.queueId) {
      const old = this.tallies.get(f.queueId);
      if (old) addTally(old.tally, f.share, -1);
    }
    f.row = row;
    f.ev = ev;
    const facts = foldedCallFacts(row, ev);
    f.queueId = facts.queueId;
    f.share = { ...EMPTY_TALLY };
    if (!facts.queueId) return f;
    const q = this.d.queue(facts.queueId);
    const slSec = this.tallies.get(facts.queueId)?.slSec ?? (q?.board ?? BOARD_DEFAULTS).slThresholdSec;
    let t = this.tallies.get(facts.queueId);
    if (!t) this.tallies.set(facts.queueId, (t = { tally: { ...EMPTY_TALLY }, slSec }));
    f.share = contribution(facts, t.slSec);
    addTally(t.tally, f.share);
    return f;
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
      this.recount(f, f.row, f.ev);
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

/** A stored call's answered/transferred events, folded, as its facts tell them. */
function evOf(f: CallFacts): FigureEvents {
  const answered = f.firstAnsweredAt !== null;
  return { firstAnsweredAt: f.firstAnsweredAt, answeredQueue: answered ? f.queueId : null, transfers: f.transfers, anyAnswer: answered };
}

const NO_EVENTS: Readonly<FigureEvents> = Object.freeze({ firstAnsweredAt: null, answeredQueue: null, transfers: 0, anyAnswer: false });

/** Two nodes' live parts of one queue, summed. */
function addLive(a: QueueLiveShare, b: QueueLiveShare): QueueLiveShare {
  const reasons: Record<string, number> = { ...a.staffing.notReadyByReason };
  for (const [why, n] of Object.entries(b.staffing.notReadyByReason)) reasons[why] = (reasons[why] ?? 0) + n;
  const s: Staffing = {
    ready: a.staffing.ready + b.staffing.ready,
    ringing: a.staffing.ringing + b.staffing.ringing,
    talking: a.staffing.talking + b.staffing.talking,
    wrapUp: a.staffing.wrapUp + b.staffing.wrapUp,
    notReady: a.staffing.notReady + b.staffing.notReady,
    notReadyByReason: reasons,
  };
  const oldest = a.oldestWaitingSince === null ? b.oldestWaitingSince : b.oldestWaitingSince === null ? a.oldestWaitingSince : Math.min(a.oldestWaitingSince, b.oldestWaitingSince);
  return { queueId: a.queueId, waiting: a.waiting + b.waiting, callbacksWaiting: a.callbacksWaiting + b.callbacksWaiting, oldestWaitingSince: oldest, staffing: s };
}
