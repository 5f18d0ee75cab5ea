import type { QueueFiguresQuery, QueueFiguresReport } from '../contracts/wallboard';
import type { PrismaClient } from '../db/generated/client';
import { EMPTY_TALLY, periodFigures } from '../cti/domain/queue-figures';
import { queueSumsRolled } from './report-rollups-sql';
import { dayOf, daysRange } from '../cti/domain/report-day';

/**
 * The queue-figures report: the stored calls of the days `from`..`to` (site time zone, inclusive;
 * default today) summed by the database over the summary columns the journal stores
 * (`report-rollups-sql.ts`: roll-ups for whole buckets, raw rows for the edges), by the same rules as the live wallboard's fold
 * (server/cti/domain/queue-figures.ts), so the report of today and the wallboard agree exactly.
 * Each queue is counted with its service-level seconds as they are now (as the board does).
 */
export async function queueFiguresReport(prisma: Pick<PrismaClient, 'queue' | '$queryRaw'>, q: QueueFiguresQuery, timeZone: string, now: number): Promise<QueueFiguresReport> {
  const today = dayOf(now, timeZone);
  const from = q.from ?? q.to ?? today;
  const to = q.to ?? (q.from ? q.from : today);
  const { start, end } = daysRange(from, to, timeZone);
  const [queues, sums] = await Promise.all([
    prisma.queue.findMany({ select: { id: true, name: true, slThresholdSec: true, slTargetPct: true } }),
    queueSumsRolled(prisma, new Date(start), new Date(end), false),
  ]);
  return {
    from,
    to,
    timeZone,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    queues: queues
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((x) => periodFigures(x, sums.get(x.id)?.tally ?? EMPTY_TALLY)),
  };
}
