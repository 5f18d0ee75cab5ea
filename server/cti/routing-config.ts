import type { Logger } from '../log';
import { coalesced } from '../admin/reload-on-change';
import type { CtiStore, HoursRule, QueueInfo, RoutingSnapshot } from './ports/cti-store';
import { holdAudioOf } from '../shared/hold-audio';

/**
 * What a call needs on its way from arrival to offer — its number's queue, that queue's ring
 * timeout, wrap-up, maximum wait and members — held in memory, so the hot path reads no database.
 * The whole picture is read at once (two queries) and read again after every portal change that
 * can touch it (numbers, queues, people: the config follower calls `reload()` on the admin change
 * notification, so a change reaches the next call within the notification's delay).
 *
 * A number the cache does not know is looked up in the database (a number saved a moment ago
 * whose notification has not arrived yet) and a reload is asked for; an unknown number is
 * therefore the only arrival that reads the database.
 */
export class RoutingConfig {
  private numbers = new Map<string, CachedNumber>();
  private queues = new Map<string, QueueInfo>();
  private loaded: Promise<void> | null = null;
  private readAtLeastOnce = false;
  /** at most one read at a time, and one more after it for the changes that came meanwhile */
  private readonly read: () => Promise<void>;

  constructor(
    private readonly store: Pick<CtiStore, 'routingSnapshot' | 'queueForNumber'>,
    private readonly log: Logger,
  ) {
    this.read = coalesced(
      async () => this.apply(await this.store.routingSnapshot()),
      (err) => this.log.warn({ err }, 'reading the routing configuration failed; keeping the last one'),
    );
  }

  /** The first read (lookups before it wait for it); later calls share it. A failed one is tried again by the next call. */
  start(): Promise<void> {
    return (this.loaded ??= this.read().then(() => {
      if (this.readAtLeastOnce) return;
      this.loaded = null;
      throw new Error('the routing configuration could not be read');
    }));
  }

  /**
   * Reads the picture again; changes arriving during a read share one more read after it, so the
   * last read starts after the last change. Never rejects: a failed read is logged and the cache
   * keeps what it had until the next change (or the version poll).
   */
  reload(): Promise<void> {
    return this.read();
  }

  /** Synchronous when the number is known (the hot path); a promise when it must ask the database. */
  queueForNumber(e164: string): QueueInfo | null | Promise<QueueInfo | null> {
    const n = this.numbers.get(e164);
    const q = n ? this.queues.get(n.queueId) : undefined;
    if (n && q) return forNumber(n, q);
    return this.miss(e164);
  }

  /** The queue by id as last read (the config follower's refresh of waiting calls). */
  queue(id: string): QueueInfo | null {
    return this.queues.get(id) ?? null;
  }

  /** Every queue as last read (the wallboard's tiles). */
  all(): QueueInfo[] {
    return [...this.queues.values()];
  }

  private async miss(e164: string): Promise<QueueInfo | null> {
    await this.start();
    const n = this.numbers.get(e164);
    const cached = n ? this.queues.get(n.queueId) : undefined;
    if (n && cached) return forNumber(n, cached);
    const q = await this.store.queueForNumber(e164);
    if (q) {
      // the database knows a number we do not: our picture is behind the portal
      this.log.info({ dialed: e164 }, 'a number unknown to the routing cache was found in the database; reading the configuration again');
      void this.reload();
    }
    return q;
  }

  private apply(s: RoutingSnapshot): void {
    this.queues = new Map(s.queues.map((q) => [q.id, q]));
    this.numbers = new Map(s.numbers.map((n) => [n.e164, { queueId: n.queueId, holdAudio: n.holdAudio, hours: n.hours, priority: n.priority }]));
    this.readAtLeastOnce = true;
    this.log.debug({ queues: this.queues.size, numbers: this.numbers.size }, 'routing configuration read');
  }
}

interface CachedNumber {
  queueId: string;
  holdAudio: string;
  hours: HoursRule;
  /** the caller priority of calls to this number (0 normal) */
  priority: number;
}

/** The queue as a call to this number sees it: the number's hold audio (or the queue's), its own hours and its caller priority. */
function forNumber(n: CachedNumber, q: QueueInfo): QueueInfo {
  return { ...q, holdAudio: holdAudioOf(n.holdAudio, q.holdAudio), numberHours: n.hours, callPriority: n.priority };
}
