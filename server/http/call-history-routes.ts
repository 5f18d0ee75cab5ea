import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { callsCsv } from '../admin/call-history-csv';
import { CallHistory, storedWord } from '../admin/call-history';
import { describeEvent, namedIds } from '../admin/call-story';
import { CallExportQuery, CallHistoryQuery } from '../contracts/admin/call-history';
import { CallOutcome, EndedBy, TimelineEvent } from '../contracts/call';
import { AppError } from '../contracts/result';
import type { AdminCallDetail, CallEventRow } from '../contracts/web-api';
import type { PrismaClient } from '../db/database';
import type { Logger } from '../log';
import { STAFF, ok, param, query, route, type Route } from './route-table';

const CallIdParam = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'not a call id');

/**
 * The stored calls for admins and supervisors (docs/web.md "Call history"): the filtered,
 * sorted, paged history; the same filters as a CSV download streamed from the database in
 * batches; one call's facts; and its timeline in plain words. Operators get 403 on all of it.
 */
export function callHistoryRoutes(prisma: PrismaClient, logger: Logger): Route[] {
  const history = new CallHistory(prisma);
  const log = logger.child({ part: 'web', module: 'call-history' });
  return [
    route('GET', '/api/admin/calls', STAFF, async (c) => ok(c.res, await history.page(query(c, CallHistoryQuery)))),

    route('GET', '/api/admin/calls.csv', STAFF, async (c) => {
      const { tz, ...filters } = query(c, CallExportQuery);
      // the days as the asker wrote them (their offset is in the ISO text); "to" is exclusive, hence "before"
      const name = ['calls', filters.from ? `from-${filters.from.slice(0, 10)}` : null, filters.to ? `before-${filters.to.slice(0, 10)}` : null].filter(Boolean).join('-');
      c.res.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${name}.csv"`,
        'cache-control': 'private, no-store',
        'x-content-type-options': 'nosniff',
      });
      const started = Date.now();
      let rows = 0;
      const counted = (async function* () {
        for await (const batch of history.exportBatches(filters)) {
          rows += batch.length;
          yield batch;
        }
      })();
      // an error after the first bytes cannot become a JSON error any more: the router destroys the answer
      await pipeline(callsCsv(counted, tz), c.res);
      log.info({ rows, ms: Date.now() - started, userId: c.user?.id }, 'calls exported');
    }),

    route('GET', '/api/admin/calls/:id/events', STAFF, async (c) => {
      const id = param(c, 'id', CallIdParam);
      const call = await prisma.call.findUnique({ where: { id }, select: { id: true } });
      if (!call) throw new AppError('NOT_FOUND', 'no such call');
      const events = await prisma.callEvent.findMany({ where: { callId: id }, orderBy: { seq: 'asc' } });
      const ids = events.map((e) => namedIds(e.data));
      const [users, queues] = await Promise.all([
        prisma.user.findMany({ where: { id: { in: [...new Set(ids.flatMap((x) => x.operators))] } }, select: { id: true, name: true } }),
        prisma.queue.findMany({ where: { id: { in: [...new Set(ids.flatMap((x) => x.queues))] } }, select: { id: true, name: true } }),
      ]);
      const userName = new Map(users.map((u) => [u.id, u.name]));
      const queueName = new Map(queues.map((q) => [q.id, q.name]));
      const names = {
        operator: (v: unknown) => (typeof v === 'string' ? (userName.get(v) ?? 'a removed operator') : 'an operator'),
        queue: (v: unknown) => (typeof v === 'string' ? (queueName.get(v) ?? 'a removed queue') : 'another queue'),
      };
      const body: CallEventRow[] = events.map((e) => {
        const type = TimelineEvent.parse(e.type);
        return { seq: e.seq, at: e.at.getTime(), type, words: describeEvent(type, e.data, names), data: e.data ?? null };
      });
      ok(c.res, body);
    }),

    route('GET', '/api/admin/calls/:id', STAFF, async (c) => {
      const id = param(c, 'id', CallIdParam);
      const call = await prisma.call.findUnique({ where: { id }, include: { queue: { select: { name: true } }, operator: { select: { name: true } } } });
      if (!call) throw new AppError('NOT_FOUND', 'no such call');
      // the label as the list has it now (a retired code keeps its label; a code gone from the list shows as itself)
      const [code, arrived] = await Promise.all([
        call.dispositionCode ? prisma.code.findUnique({ where: { kind_code: { kind: 'disposition', code: call.dispositionCode } }, select: { label: true } }) : null,
        prisma.callEvent.findFirst({ where: { callId: id, type: 'arrived' }, select: { data: true } }),
      ]);
      const callerName = (arrived?.data as { callerName?: unknown } | null)?.callerName;
      const waitedUntil = call.answeredAt ?? call.endedAt;
      const body: AdminCallDetail = {
        id: call.id,
        dialed: call.dialed,
        callerId: call.callerId,
        queue: call.queue?.name ?? null,
        operatorId: call.operatorId,
        operatorName: call.operator?.name ?? null,
        arrivedAt: call.arrivedAt.getTime(),
        offeredAt: call.offeredAt?.getTime() ?? null,
        answeredAt: call.answeredAt?.getTime() ?? null,
        endedAt: call.endedAt?.getTime() ?? null,
        endedBy: storedWord(EndedBy, call.endedBy),
        outcome: storedWord(CallOutcome, call.outcome),
        direction: call.direction === 'outbound' ? 'outbound' : 'inbound',
        callerName: typeof callerName === 'string' && callerName ? callerName : null,
        waitMs: waitedUntil ? waitedUntil.getTime() - call.arrivedAt.getTime() : null,
        talkMs: call.answeredAt && call.endedAt ? call.endedAt.getTime() - call.answeredAt.getTime() : null,
        callerNumber: call.callerNumber,
        notes: call.notes,
        disposition: call.dispositionCode ? { code: call.dispositionCode, label: code?.label ?? call.dispositionCode } : null,
        wrapUpExtended: call.wrapUpExtended,
        wrapUpEndedAt: call.wrapUpEndedAt?.getTime() ?? null,
      };
      ok(c.res, body);
    }),
  ];
}
