import type { Logger } from '../log';
import type { AgentRoster } from './agent-roster';
import type { CallBook } from './call-book';
import type { CallRouter } from './call-router';
import type { CodeBook } from './code-book';
import type { CtiStore } from './ports/cti-store';
import type { RoutingConfig } from './routing-config';
import type { ScheduleCache } from './schedule-cache';
import type { ViewPublisher } from './views';

/** What changed in the portal, as the admin change notification says it (a hint: "reload"). */
export interface ConfigChangeHint {
  /** 'person' | 'queue' | 'number' | 'code' | 'schedule', or '*' when only the version is known (a poll) */
  entity: string;
  id: string | null;
}

export interface ConfigFollowerDeps {
  store: Pick<CtiStore, 'inactiveAmong'>;
  routing: RoutingConfig;
  book: CallBook;
  roster: AgentRoster;
  router: CallRouter;
  views: ViewPublisher;
  hours: ScheduleCache;
  codes: CodeBook;
  log: Logger;
  stopped: () => boolean;
}

/**
 * The CTI following the portal's changes while it runs. Numbers, queues and members are held in
 * the routing cache (`routing-config.ts`) and business hours in the schedule cache
 * (`schedule-cache.ts`), each read again here on every change that can touch it, so a new number,
 * a changed ring timeout or a saved schedule applies to the next call. Each live call also holds
 * its queue, so on a queue or person change the copies of waiting calls are refreshed from the
 * cache (their next offer uses the new ring timeout and members) and waiting calls are routed
 * again; on a person change, a deactivated person is signed out: an operator after their
 * current call, staff (live views) at once.
 *
 * Changes are handled one after another, in the order they arrive; a failed reload is logged
 * and the cache keeps what it had until the next change (or the periodic version poll).
 */
export class ConfigFollower {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly d: ConfigFollowerDeps) {}

  /** Queues the reload a change asks for; resolves when it (and those before it) are done. */
  changed(hint: ConfigChangeHint): Promise<void> {
    this.chain = this.chain.then(() => this.apply(hint)).catch((err: unknown) => this.d.log.warn({ err, hint }, 'configuration reload failed; the next change reads again'));
    return this.chain;
  }

  private async apply(hint: ConfigChangeHint): Promise<void> {
    if (this.d.stopped()) return;
    const all = hint.entity === '*';
    if (all || hint.entity === 'number' || hint.entity === 'queue' || hint.entity === 'person') await this.d.routing.reload();
    // the business-hours cache: the next arrival decides on the saved schedule
    if (all || hint.entity === 'schedule') await this.d.hours.reload();
    if (all || hint.entity === 'person') await this.signOutDeactivated(hint.entity === 'person' ? hint.id : null);
    if (all || hint.entity === 'queue' || hint.entity === 'person') this.refreshWaitingQueues();
    if (all || hint.entity === 'code') await this.d.codes.reload();
  }

  /** Signed-in operators (after their call); anyone else — staff watching live — at once. */
  private async signOutDeactivated(only: string | null): Promise<void> {
    const ids = only ? [only] : this.d.roster.all().map((a) => a.operatorId);
    for (const id of await this.d.store.inactiveAmong(ids)) {
      const a = this.d.roster.get(id);
      if (a) this.d.roster.deactivate(a);
      else this.d.views.userRemoved(id, 'deactivated');
    }
  }

  /** Re-reads the queue of every call still waiting or ringing, then routes again. */
  private refreshWaitingQueues(): void {
    const calls = this.d.book.liveCalls().filter((c) => c.queue && (c.status === 'queued' || c.status === 'offering'));
    const ids = [...new Set(calls.map((c) => c.queue!.id))];
    for (const c of calls) {
      const q = c.queue ? this.d.routing.queue(c.queue.id) : null;
      // a queue deleted meanwhile keeps the copy: deleting refuses while callers wait, this is a race
      if (q && c.status !== 'ended') c.queue = { ...q, holdAudio: c.queue!.holdAudio, ...(c.queue!.numberHours ? { numberHours: c.queue!.numberHours } : {}) };
    }
    if (calls.length > 0) this.d.log.info({ calls: calls.length, queues: ids.length }, 'waiting calls re-read their queues');
    this.d.router.routeWaiting();
  }
}
