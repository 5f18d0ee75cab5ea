import type { Health } from '../health/health';
import { ok, route, type Route } from './route-table';

/**
 * Liveness and readiness (docs/operations.md). Public: a kubelet, a load balancer or a
 * monitoring agent probes without a session. What they see is safe to show anyone: check names,
 * ok or failed, and reasons in words the checks wrote (never an error's message, an address or
 * a secret), and a count of bank user agents.
 *
 * `/api/health` stays for the callers of its first version (scripts, the e2e web server, the
 * README): it now answers readiness — the same checks and status as `/api/health/ready` — so it
 * no longer says ok while the ACD is down.
 */
export function healthRoutes(health: Health): Route[] {
  const ready: Route['handle'] = async ({ res }) => {
    const info = await health.ready();
    ok(res, info, info.status === 'ok' ? 200 : 503, { 'cache-control': 'no-store' });
  };
  return [
    route('GET', '/api/health', 'public', ready),
    route('GET', '/api/health/ready', 'public', ready),
    route('GET', '/api/health/live', 'public', async ({ res }) => {
      const info = health.live();
      ok(res, info, info.status === 'ok' ? 200 : 503, { 'cache-control': 'no-store' });
    }),
  ];
}
