import type http from 'node:http';
import type { Config } from '../config';
import type { Health } from '../health/health';
import { opsRoutes } from '../http/ops-routes';
import { createRouteHandler } from '../http/route-handler';
import { SessionService } from '../http/session-service';
import type { PlatformBase } from './platform-base';

/**
 * Serves a role's probes and /metrics on `server` (docs/operations.md): the ACD's own port
 * (ACD_OPS_PORT), the CTI's socket.io port. /metrics opens to METRICS_TOKEN or an admin's
 * session (sessions live in the shared database); anything else but socket.io's path is a 404.
 */
export function serveOps(server: http.Server, base: PlatformBase, health: Health, config: Pick<Config, 'metricsToken' | 'sessionTtlSec'>): void {
  const sessions = new SessionService({ prisma: base.db.prisma, ttlSec: config.sessionTtlSec, secureCookie: false });
  const handle = createRouteHandler(opsRoutes(health, base.metrics, config.metricsToken), { sessions, logger: base.log, bodyLimit: 1024 });
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/socket.io/')) return;
    void handle(req, res).then(
      (answered) => {
        if (!answered) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      },
      (err: unknown) => {
        base.log.error({ err, url: req.url }, 'ops request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error');
      },
    );
  });
}
