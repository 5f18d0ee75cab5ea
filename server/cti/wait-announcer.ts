import type { AgentRoster } from './agent-roster';
import type { CallBook, LiveCall } from './call-book';
import { compareWaiting, type OrderedCall } from './domain/call-order';
import { announcementClips } from './domain/wait-announcement';
import { HandleTimes, estimatedWaitSec } from './domain/wait-estimate';
import type { BankPort } from './ports/bank-port';
import type { QueueInfo } from './ports/cti-store';

export interface WaitAnnouncerDeps {
  bank: BankPort;
  book: CallBook;
  roster: Pick<AgentRoster, 'get'>;
  now: () => number;
  stopped: () => boolean;
}

/** The agent states in which an operator is serving their queues (not Not ready, not signed out). */
const SERVING = new Set(['ready', 'reserved', 'talking', 'wrap_up']);

/**
 * Tells waiting callers their place in the queue and the estimated wait (docs/cti.md, "Position
 * and wait announcements"), as their queue asks (`announce`, `announceEverySec`): once as they
 * start waiting, then every interval. Each is the dialect's announcement with `then: music`
 * (the ACD plays the spoken pieces in turn, then the hold music again). A call ringing an
 * operator is not interrupted: that round is skipped. The figures come from memory — the call
 * book (position), the roster (operators serving) and the queue's recent handle times, fed as
 * answered calls end — never from the database.
 */
export class WaitAnnouncer {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly handleTimes = new Map<string, HandleTimes>();

  constructor(private readonly d: WaitAnnouncerDeps) {}

  /** The call (now) waits in its queue: the first announcement at once, the next ones every interval. */
  queued(call: LiveCall): void {
    this.cancel(call);
    const q = call.queue;
    if (!q || !announces(q) || this.d.stopped() || call.callback) return;
    if (call.status === 'queued') this.announce(call);
    this.schedule(call);
  }

  /** The caller is back on the music after the callback keypad dialogue (or ringing an operator): the next announcement after the interval. */
  resume(call: LiveCall): void {
    this.cancel(call);
    const q = call.queue;
    if (!q || !announces(q) || this.d.stopped() || call.callback || (call.status !== 'queued' && call.status !== 'offering')) return;
    this.schedule(call);
  }

  /** The caller asked for a callback (released), or is on the keypad: no more announcements (for now). */
  cancel(call: LiveCall): void {
    const t = this.timers.get(call.id);
    if (t) clearTimeout(t);
    this.timers.delete(call.id);
  }

  /** The call ended: no more announcements; an answered call's handle time counts for its queue's AHT. */
  ended(call: LiveCall): void {
    this.cancel(call);
    const q = call.queue;
    if (!q || call.answeredAt === null || call.endedAt === null || !call.operatorId) return;
    let h = this.handleTimes.get(q.id);
    if (!h) this.handleTimes.set(q.id, (h = new HandleTimes()));
    h.add((call.endedAt - call.answeredAt) / 1000 + q.wrapUpSec);
  }

  /** The caller's place (1 = next): the calls of the queue ringing an operator, and those served before it. */
  position(call: LiveCall): number {
    const now = this.d.now();
    const me = ordered(call);
    let ahead = 0;
    for (const c of this.d.book.liveCalls()) {
      if (c === call || c.queue?.id !== call.queue?.id) continue;
      if (c.status === 'offering' || (c.status === 'queued' && compareWaiting(ordered(c), me, now) < 0)) ahead++;
    }
    return ahead + 1;
  }

  /** The queue's estimated wait for a caller at this place (null: nobody serving the queue). */
  estimate(call: LiveCall, position: number): number | null {
    const q = call.queue!;
    let serving = 0;
    for (const m of q.routing.members) if (SERVING.has(this.d.roster.get(m.operatorId)?.state ?? 'offline')) serving++;
    return estimatedWaitSec(position, serving, (this.handleTimes.get(q.id) ?? new HandleTimes()).average());
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private schedule(call: LiveCall): void {
    const q = call.queue!;
    const timer = setTimeout(() => {
      this.timers.delete(call.id);
      if (this.d.stopped() || (call.status !== 'queued' && call.status !== 'offering') || !call.queue || !announces(call.queue) || call.callback) return;
      if (call.status === 'queued') this.announce(call);
      this.schedule(call);
    }, q.announceEverySec * 1000);
    timer.unref();
    this.timers.set(call.id, timer);
  }

  private announce(call: LiveCall): void {
    const q = call.queue!;
    const position = this.position(call);
    const waitSec = this.estimate(call, position);
    const clips = announcementClips(q.announce, position, waitSec, q.callbackDigit);
    if (clips.length === 0) return;
    call.log.debug({ position, waitSec, clips }, 'telling the caller their place and wait');
    call.journal.event('announcement', { then: 'music', position, waitSec: waitSec === null ? null : Math.round(waitSec), clips });
    void this.d.bank.announce(call.legId, clips, 'music').then((status) => {
      // 486: the leg is busy (an operator's device is being dialled): the music plays on
      if (status >= 300) call.log.debug({ status }, 'the ACD did not play the announcement');
    });
  }
}

/** A queue says something to its waiting callers: their place, wait, or the callback offer. */
const announces = (q: QueueInfo): boolean => q.announce !== 'none' || q.callbackDigit !== null;

function ordered(c: LiveCall): OrderedCall {
  return { id: c.id, arrivedAt: c.arrivedAt, priority: c.priority ?? 0, queuePriority: c.queue?.priority ?? 0, ageingSec: c.queue?.params.ageingSec ?? 60, first: c.first === true };
}
