import type { ServerResponse } from 'node:http';
import { QueueFiguresQuery } from '../contracts/wallboard';
import { ReportQuery } from '../contracts/reports';
import { queueFiguresReport } from '../admin/queue-report';
import { intervalsReport, operatorsReport, queuesReport, statesReport, type ReportDb } from '../admin/reports';
import { intervalsCsv, operatorsCsv, queuesCsv, statesCsv } from '../admin/reports-csv';
import { STAFF, ok, query, route, type Ctx, type Route } from './route-table';

/**
 * Reports for admins and supervisors (docs/wallboard.md, docs/reports.md): the queue figures of
 * any days, and the reports page's charts — each as JSON, or with `format=csv` as a download.
 */
export function reportRoutes(prisma: ReportDb, timeZone: string, now: () => number = Date.now): Route[] {
  function chart<R extends { from: string; to: string }>(name: string, load: (p: ReportDb, q: ReportQuery, tz: string, now: number) => Promise<R>, csv: (r: R) => string): Route {
    return route('GET', `/api/admin/reports/${name}`, STAFF, async (c: Ctx) => {
      const q = query(c, ReportQuery);
      const r = await load(prisma, q, timeZone, now());
      if (q.format === 'csv') sendCsv(c.res, `${name}-${r.from}-to-${r.to}${'interval' in r ? `-${String(r.interval)}` : ''}.csv`, csv(r));
      else ok(c.res, r);
    });
  }
  return [
    route('GET', '/api/admin/reports/queue-figures', STAFF, async (c) => ok(c.res, await queueFiguresReport(prisma, query(c, QueueFiguresQuery), timeZone, now()))),
    chart('intervals', intervalsReport, intervalsCsv),
    chart('operators', operatorsReport, operatorsCsv),
    chart('states', statesReport, statesCsv),
    chart('queues', queuesReport, queuesCsv),
  ];
}

function sendCsv(res: ServerResponse, filename: string, text: string): void {
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${filename}"`,
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}
