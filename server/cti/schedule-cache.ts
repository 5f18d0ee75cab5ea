import type { Logger } from '../log';
import { isOpen, type ScheduleRule } from './domain/business-hours';
import type { CtiStore } from './ports/cti-store';

/**
 * The business-hours schedules, in memory: a call's arrival asks `isOpen()` here and never the
 * database. Loaded when the CTI starts and again on every `schedule` change (or a polled
 * version) of the portal's change notification; loads never overlap, and a failed one keeps
 * the previous copy (logged).
 *
 * A schedule the cache does not know (saved a moment ago, its notification not yet here), or
 * one whose rule cannot be read, counts as **open**: wrongly taking a call is better than
 * wrongly turning a caller away.
 */
export class ScheduleCache {
  private rules = new Map<string, ScheduleRule>();
  private loading: Promise<void> | null = null;
  private again = false;
  private firstLoad: Promise<void> | null = null;
  private firstLoadDone = false;

  constructor(
    private readonly store: Pick<CtiStore, 'schedules'>,
    private readonly log: Logger,
  ) {}

  /** Resolves once the first load is done (arrivals at boot wait for it, later ones never). */
  ready(): Promise<void> {
    return (this.firstLoad ??= this.reload().then(() => {
      this.firstLoadDone = true;
    }));
  }

  /** The first load is done: an arrival can decide at once, without waiting. */
  get isReady(): boolean {
    return this.firstLoadDone;
  }

  /** Reads every schedule again; a reload asked during a load runs once after it. */
  reload(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        try {
          const rows = await this.store.schedules();
          this.rules = new Map(rows.map((r) => [r.id, { timeZone: r.timeZone, weekly: r.weekly, holidays: r.holidays }]));
          this.log.info({ schedules: rows.length }, 'business-hours schedules loaded');
        } catch (err) {
          this.log.warn({ err }, 'business-hours schedules could not be loaded; keeping the previous copy');
        }
      } while (this.again);
    })().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  get size(): number {
    return this.rules.size;
  }

  /** Open at `instant`? No schedule (null): always open. */
  isOpen(scheduleId: string | null, instant: number): boolean {
    if (!scheduleId) return true;
    const rule = this.rules.get(scheduleId);
    if (!rule) {
      this.log.warn({ scheduleId }, 'schedule not in the cache; treating it as open');
      return true;
    }
    try {
      return isOpen(rule, instant);
    } catch (err) {
      this.log.error({ err, scheduleId, timeZone: rule.timeZone }, 'schedule could not be evaluated; treating it as open');
      return true;
    }
  }
}
