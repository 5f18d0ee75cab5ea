import path from 'node:path';
import { createAdminServices, type AdminServices } from '../admin/admin-services';
import type { Config } from '../config';
import type { PrismaClient } from '../db/database';
import { dummyHash, verifyPassword } from '../db/passwords';
import type { Logger } from '../log';
import type { AuthUser } from '../contracts/auth';
import { AppError, fieldErrors, toErrorResponse } from '../contracts/result';
import { LoginCredentials, homeFor, type CallConfig, type LoginResult } from '../contracts/web-api';
import { LocalRecordingStorage } from '../recordings/local-recording-storage';
import { RecordingService } from '../recordings/recording-service';
import { accountRoutes } from './account-routes';
import { callHistoryRoutes } from './call-history-routes';
import { recordingRoutes } from './recording-routes';
import { reportRoutes } from './report-routes';
import { adminRoutes } from './admin-routes';
import { audioRoutes } from './audio-routes';
import { clientIp, readJsonBody, sendJson } from './http-io';
import { LoginRateLimiter } from './login-rate-limiter';
import { ok, route, type Route } from './route-table';
import { createRouteHandler, type RouteHandler } from './route-handler';
import { metricsRoutes } from './metrics-routes';
import { healthRoutes } from './health-routes';
import { databaseCheck } from '../health/checks';
import { Health } from '../health/health';
import { PlatformMetrics, type MetricsSource } from '../metrics/platform-metrics';
import type { SessionService } from './session-service';

/**
 * The JSON API under /api. Plain node:http: each route parses its input with zod, checks the
 * caller's role, calls a service (the session service, the admin service layer) or Prisma for
 * the simple reads, and answers a `Response<T>` body. Every failure is an AppError mapped to a
 * status in one place (http-io.ts); anything else is logged and answered as a bare 500.
 */
export interface ApiDeps {
  prisma: PrismaClient;
  sessions: SessionService;
  logger: Logger;
  config: Pick<Config, 'publicHost' | 'sipWsPort' | 'sipDomain'> & Partial<Pick<Config, 'recordingsDir' | 'reportTimeZone' | 'metricsToken' | 'acdPublicHost'>>;
  /** what GET /metrics renders (the process's Prometheus registry); an empty registry when absent */
  metrics?: MetricsSource;
  /** liveness and readiness (server/health); a database check alone when absent */
  health?: Health;
  /** the recordings' rows and files; built over the local recordings directory when absent */
  recordings?: RecordingService;
  /** the admin service layer; built from `prisma` when absent (the composition root may share its publisher) */
  admin?: AdminServices;
  /** injectable for tests; defaults to 5 failures / 5 min per e-mail, 20 per IP */
  loginLimiter?: LoginRateLimiter;
  /** JSON body cap in bytes (default 16 KiB) */
  bodyLimit?: number;
}

export type ApiHandler = RouteHandler;

/** The whole route table (the authorisation matrix test enumerates it). */
export function createApiRoutes(deps: ApiDeps): Route[] {
  const { prisma, sessions, config } = deps;
  const log = deps.logger.child({ part: 'web', module: 'http-api' });
  const limiter = deps.loginLimiter ?? new LoginRateLimiter();
  const bodyLimit = deps.bodyLimit ?? 16 * 1024;
  const admin = deps.admin ?? createAdminServices({ prisma, logger: deps.logger });
  const recordings = deps.recordings ?? new RecordingService(prisma, new LocalRecordingStorage(path.resolve(config.recordingsDir ?? '.data/recordings')), deps.logger);

  return [
    ...healthRoutes(deps.health ?? new Health([databaseCheck(prisma, deps.logger)], deps.logger)),

    route('POST', '/api/auth/login', 'public', async ({ req, res }) => {
      const parsed = LoginCredentials.safeParse(await readJsonBody(req, bodyLimit));
      if (!parsed.success) throw new AppError('BAD_REQUEST', 'check the highlighted fields', fieldErrors(parsed.error));
      const { email, password } = parsed.data;
      const ip = clientIp(req);
      const verdict = limiter.check(ip, email);
      if (!verdict.allowed) {
        log.warn({ ip, email }, 'sign-in throttled');
        sendJson(res, 429, toErrorResponse(new AppError('RATE_LIMITED', `too many failed sign-ins; try again in ${verdict.retryAfterSec} s`)), {
          'retry-after': String(verdict.retryAfterSec),
        });
        return;
      }
      const user = await prisma.user.findUnique({ where: { email } });
      // Verify against a dummy hash for unknown users so the answer time does not reveal them.
      const good = await verifyPassword(user?.passwordHash ?? (await dummyHash()), password);
      if (!user || !good || !user.active) {
        limiter.fail(ip, email);
        log.info({ ip, email }, 'sign-in refused');
        throw new AppError('UNAUTHENTICATED', 'the e-mail or the password is not right');
      }
      limiter.succeed(email);
      // A new sign-in replaces the session this browser presented, if any (no orphan rows).
      await sessions.destroy(req.headers.cookie);
      const session = await sessions.create(user.id);
      await prisma.auditLog.create({ data: { actorId: user.id, action: 'auth.login', data: { ip } } });
      log.info({ userId: user.id, role: user.role }, 'signed in');
      const me: AuthUser = { id: user.id, email: user.email, name: user.name, role: user.role };
      const body: LoginResult = { user: me, home: homeFor(me.role) };
      ok(res, body, 200, { 'set-cookie': session.setCookie });
    }),

    route('POST', '/api/auth/logout', 'public', async ({ req, res, user }) => {
      const clear = await sessions.destroy(req.headers.cookie);
      if (user) await prisma.auditLog.create({ data: { actorId: user.id, action: 'auth.logout' } });
      ok(res, { signedOut: true }, 200, { 'set-cookie': clear });
    }),

    route('GET', '/api/me', 'signed-in', async ({ res, user }) => {
      ok(res, user);
    }),

    route('GET', '/api/public/call-config', 'public', async ({ res }) => {
      const numbers = await prisma.number.findMany({ orderBy: { e164: 'asc' }, select: { e164: true, queue: { select: { name: true } } } });
      const body: CallConfig = {
        // the caller page's browser reaches the ACD, which may be another machine than the web
        wsUrl: `ws://${config.acdPublicHost ?? config.publicHost}:${config.sipWsPort}`,
        domain: config.sipDomain,
        numbers: numbers.map((n) => ({ e164: n.e164, queue: n.queue.name })),
      };
      ok(res, body);
    }),

    ...accountRoutes(admin, bodyLimit),
    ...adminRoutes(admin, bodyLimit),
    ...audioRoutes(admin, bodyLimit),
    ...recordingRoutes(recordings, deps.logger),
    ...callHistoryRoutes(prisma, deps.logger),
    ...reportRoutes(prisma, config.reportTimeZone ?? 'UTC'),
    ...metricsRoutes(deps.metrics ?? new PlatformMetrics({ process: false }), config.metricsToken ?? null),
  ];
}

export function createApiHandler(deps: ApiDeps): ApiHandler {
  return createRouteHandler(createApiRoutes(deps), { sessions: deps.sessions, logger: deps.logger, bodyLimit: deps.bodyLimit ?? 16 * 1024 });
}
