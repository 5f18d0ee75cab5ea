import type { PrismaClient } from '../db/generated/client';
import { CallOutcome, EndedBy } from '../contracts/call';
import { foldFigureEvent, noFigureEvents } from './domain/queue-figures';
import type { OpenCall } from './ports/cti-store';

/**
 * The calls the journal left open (no `ended_at`): what a CTI that restarts matches with the
 * ACD's re-offers (call-recovery.ts). Each whole row as the journal wrote it, its figures' fold
 * rebuilt from its stored events, and where its timeline stopped. Read once at start, never on a
 * call's path; the open calls are those live when the CTI stopped (a few hundred at most).
 */
export async function loadOpenCalls(prisma: Pick<PrismaClient, 'call'>): Promise<OpenCall[]> {
  const rows = await prisma.call.findMany({
    where: { endedAt: null },
    orderBy: { arrivedAt: 'asc' },
    include: { events: { orderBy: { seq: 'asc' }, select: { seq: true, type: true, at: true, data: true } } },
  });
  return rows.map(({ events, countedQueueId: _q, firstAnsweredAt: _f, transfers: _t, ...r }) => {
    const figures = noFigureEvents();
    for (const e of events) foldFigureEvent(figures, e.type, e.at.getTime(), e.data);
    const last = events[events.length - 1];
    const endedBy = EndedBy.safeParse(r.endedBy);
    const outcome = CallOutcome.safeParse(r.outcome);
    return {
      row: {
        ...r,
        direction: r.direction === 'outbound' ? 'outbound' : 'inbound',
        endedBy: endedBy.success ? endedBy.data : null,
        outcome: outcome.success ? outcome.data : null,
        figures,
      },
      lastSeq: last?.seq ?? 0,
      lastEventAt: last?.at ?? null,
    };
  });
}
