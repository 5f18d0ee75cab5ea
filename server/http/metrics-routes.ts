import type { MetricsSource } from '../metrics/platform-metrics';
import { ADMIN_ONLY, route, type Route } from './route-table';

/**
 * GET /metrics, the Prometheus exposition (docs/metrics.md): for a signed-in admin, or for a
 * scraper presenting METRICS_TOKEN as a bearer token. It names no person, device credential
 * or secret: only counts, by queue name, state, SIP method.
 */
export function metricsRoutes(metrics: MetricsSource, token: string | null): Route[] {
  return [
    route(
      'GET',
      '/metrics',
      ADMIN_ONLY,
      async ({ res }) => {
        const body = await metrics.text();
        res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        res.end(body);
      },
      { bearer: token },
    ),
  ];
}
