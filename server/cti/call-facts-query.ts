import type { Prisma, PrismaClient } from '../db/generated/client';
import { callFacts, FIGURE_EVENT_TYPES, type CallFacts } from './domain/queue-figures';

/**
 * The stored facts of the inbound calls that arrived in [start, end): each call's row and its
 * answered/transferred events in their stored order. One query (the events come with their calls);
 * read when the wallboard starts and by the tests that hold the reports' SQL sums to this fold
 * (the reports read the summary columns the journal stores, `server/admin/report-sums-sql.ts`),
 * never on a call's path. A site's day is a few
 * thousand calls; the report of a long period pages in `chunk`s by arrival so memory stays flat.
 */
export async function loadCallFacts(prisma: Pick<PrismaClient, 'call'>, start: Date, end: Date, chunk = 5000): Promise<CallFacts[]> {
  const out: CallFacts[] = [];
  let cursor: { arrivedAt: Date; id: string } | null = null;
  for (;;) {
    const where: Prisma.CallWhereInput = {
      direction: 'inbound',
      arrivedAt: { gte: start, lt: end },
      ...(cursor ? { OR: [{ arrivedAt: { gt: cursor.arrivedAt } }, { arrivedAt: cursor.arrivedAt, id: { gt: cursor.id } }] } : {}),
    };
    const rows = await prisma.call.findMany({
      where,
      select: {
        id: true,
        queueId: true,
        direction: true,
        arrivedAt: true,
        answeredAt: true,
        endedAt: true,
        outcome: true,
        wrapUpEndedAt: true,
        events: { where: { type: { in: [...FIGURE_EVENT_TYPES] } }, orderBy: { seq: 'asc' }, select: { type: true, at: true, data: true } },
      },
      orderBy: [{ arrivedAt: 'asc' }, { id: 'asc' }],
      take: chunk,
    });
    for (const r of rows) out.push(callFacts(r, r.events));
    if (rows.length < chunk) return out;
    const last = rows[rows.length - 1];
    if (!last) return out;
    cursor = { arrivedAt: last.arrivedAt, id: last.id };
  }
}
