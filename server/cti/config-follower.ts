import type { Logger } from '../log';
import type { AgentRoster } from './agent-roster';
import type { CallBook } from './call-book';
import type { CallRouter } from './call-router';
import type { CtiStore } from './ports/cti-store';
import type { ViewPublisher } from './views';

/** What changed in the portal, as the admin change notification says it (a hint: "reload"). */
export interface ConfigChangeHint {
  /** 'person' | 'queue' | 'number' | 'code', or '*' when only the version is known (a poll) */
  entity: string;
  id: string | null;
}

export interface ConfigFollowerDeps {
  store: CtiStore;
  book: CallBook;
  roster: AgentRoster;
  router: CallRouter;
  views: ViewPublisher;
  log: Logger;
  stopped: () => boolean;
}

/**
 * The CTI following the portal's changes while it runs. The CTI keeps no configuration cache:
 * a call reads its number's queue (members, ring timeout, wrap-up, maximum wait) from the
 * database when it arrives, so a new number or a changed ring timeout applies to the next call
 * by itself. What it does hold is each live call's copy of its queue, so on a queue or person
 * change the copies of waiting calls are re-read (their next offer uses the new ring timeout
 * and members) and waiting calls are routed again; on a person change, a deactivated person is
 * signed out: an operator after their current call, staff (live views) at once.
 *
 * Changes are handled one after another, in the order they arrive; a failed reload is logged
 * and the next change (or the next call) reads the database again.
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
    if (all || hint.entity === 'person') await this.signOutDeactivated(hint.entity === 'person' ? hint.id : null);
    if (all || hint.entity === 'queue' || hint.entity === 'person') await this.refreshWaitingQueues();
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
  private async refreshWaitingQueues(): Promise<void> {
    const calls = this.d.book.liveCalls().filter((c) => c.queue && (c.status === 'queued' || c.status === 'offering'));
    const ids = [...new Set(calls.map((c) => c.queue!.id))];
    const fresh = new Map(await Promise.all(ids.map(async (id) => [id, await this.d.store.queue(id)] as const)));
    for (const c of calls) {
      const q = c.queue ? fresh.get(c.queue.id) : null;
      // a queue deleted meanwhile keeps the copy: deleting refuses while callers wait, this is a race
      if (q && c.status !== 'ended') c.queue = { ...q, holdAudio: c.queue!.holdAudio };
    }
    if (calls.length > 0) this.d.log.info({ calls: calls.length, queues: ids.length }, 'waiting calls re-read their queues');
    this.d.router.routeWaiting();
  }
}
