import type { Logger } from '../log';
import type { PrismaClient } from '../db/generated/client';
import type { DialPlan } from './dial-plan';
import { holdAudioOf } from '../shared/hold-audio';

/**
 * The ACD's dial plan read from the `numbers` table: which E.164 numbers it serves and the hold
 * audio of each. Held in memory (the lookup runs per INVITE and must not wait on the database).
 * `server/main.ts` calls `load()` on every number change the portal publishes, so a saved number
 * is served within moments (`server/admin/reload-on-change.ts`: loads never overlap); the timer
 * of `start()` stays as a fallback for a missed notification (and on a queue change, since:)
 * the audio of a number is its own hold audio, or — when it has none of its own (`default`) —
 * its queue's. The ACD learns only the resulting clip name, and the queue's busy message (what a
 * caller hears past capacity), nothing else of the queue.
 */
export class DatabaseDialPlan implements DialPlan {
  private numbers = new Map<string, { holdAudio: string; busyAudio: string | null }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly log: Logger,
  ) {}

  lookup(e164: string): { holdAudio: string; busyAudio: string | null } | null {
    return this.numbers.get(e164) ?? null;
  }

  async load(): Promise<void> {
    const rows = await this.prisma.number.findMany({ select: { e164: true, holdAudio: true, queue: { select: { holdAudio: true, busyAudio: true } } } });
    this.numbers = new Map(rows.map((r) => [r.e164, { holdAudio: holdAudioOf(r.holdAudio, r.queue.holdAudio), busyAudio: r.queue.busyAudio }]));
  }

  /** Loads now, then every `everyMs`; a failed refresh keeps the last good plan. */
  async start(everyMs = 60_000): Promise<void> {
    await this.load();
    this.timer = setInterval(() => {
      this.load().catch((err: unknown) => this.log.warn({ err }, 'dial plan refresh failed; keeping the last one'));
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
