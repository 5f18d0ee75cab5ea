import type { Health } from '../health/health';
import type { MetricsSource } from '../metrics/platform-metrics';
import { healthRoutes } from './health-routes';
import { metricsRoutes } from './metrics-routes';
import type { Route } from './route-table';

/**
 * What a part run on its own (the ACD, the CTI) answers over HTTP besides its real work: the
 * liveness and readiness probes of the parts it runs and its own /metrics. The same routes, with
 * the same access, as the web's (api-router.ts): the authorisation matrix covers them there, and
 * ops-routes.test.ts keeps the two tables the same.
 */
export function opsRoutes(health: Health, metrics: MetricsSource, metricsToken: string | null): Route[] {
  return [...healthRoutes(health), ...metricsRoutes(metrics, metricsToken)];
}
