import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Health } from '../health/health';
import { PlatformMetrics } from '../metrics/platform-metrics';
import { opsRoutes } from './ops-routes';
import { DEMO } from '../db/seed';
import { allows, type Route } from './route-table';
import { FIXTURE_METRICS_TOKEN, PERSONA_ROLE, PERSONA_USER, startApiFixture, type ApiFixture, type Persona } from './test-support/api-fixture';

/**
 * The authorisation matrix, generated from the route table itself: every route × anonymous,
 * operator, supervisor and admin. A refused caller gets exactly 401 (anonymous) or 403 (signed
 * in, wrong role) and the handler never runs; an allowed one gets past the gate (its answer is
 * the handler's: 2xx, or 400/404/409 for the empty probe body). Every state change is also sent
 * cross-origin as an admin and must be refused. A new route is in the matrix by being in the table.
 */
const PERSONAS: Persona[] = ['anonymous', 'operator', 'supervisor', 'admin'];

/** Sample values for path parameters: rows that exist in the seeded database. */
const SAMPLE: Record<string, string> = { id: DEMO.users[2].id, e164: encodeURIComponent(DEMO.number), kind: 'not_ready' };
const SAMPLE_BY_PATH: Record<string, Record<string, string>> = {
  '/api/admin/queues/:id': { id: DEMO.queue.id },
  '/api/admin/codes/:kind/:id': { kind: 'not_ready', id: 'nr-break' },
  '/api/admin/calls/:id/events': { id: 'call-none' },
  '/api/admin/audio-files/:name': { name: 'default' },
};

function concrete(r: Route): string {
  const values = { ...SAMPLE, ...SAMPLE_BY_PATH[r.path] };
  return r.path.replace(/:([a-zA-Z0-9]+)/g, (_m, k: string) => {
    const v = values[k];
    if (v === undefined) throw new Error(`the matrix has no sample value for :${k} of ${r.path}; add one`);
    return v;
  });
}

let fx: ApiFixture;
beforeAll(async () => {
  fx = await startApiFixture();
}, 90_000);
afterAll(async () => fx.close());

describe('authorisation matrix (generated from the route table)', { timeout: 60_000 }, () => {
  it('covers every route, and the table has the admin routes', () => {
    expect(fx.routes.length).toBeGreaterThan(25);
    const keys = fx.routes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    // the call history, its export and a call's page are in the table (staff only, as every admin read)
    for (const k of ['GET /api/admin/calls', 'GET /api/admin/calls.csv', 'GET /api/admin/calls/:id', 'GET /api/admin/calls/:id/events']) expect(keys).toContain(k);
    // the wallboard's report: staff only (operators 403, anonymous 401, like every /api/admin read)
    expect(keys).toContain('GET /api/admin/reports/queue-figures');
    // the reports page's charts (JSON, and CSV with format=csv): staff only too
    for (const k of ['GET /api/admin/reports/intervals', 'GET /api/admin/reports/operators', 'GET /api/admin/reports/states', 'GET /api/admin/reports/queues']) expect(keys).toContain(k);
    // every write under /api/admin is admin-only; every read there is staff (admin + supervisor)
    for (const r of fx.routes.filter((x) => x.path.startsWith('/api/admin/'))) {
      expect(r.access, `${r.method} ${r.path}`).toEqual(r.method === 'GET' ? ['ADMIN', 'SUPERVISOR'] : ['ADMIN']);
    }
  });

  it("a part's probe port (ops-routes.ts: the ACD and the CTI run alone) serves only routes of this table, with the same access and token", () => {
    const health = new Health([], pino({ level: 'silent' }));
    const ops = opsRoutes(health, new PlatformMetrics({ process: false }), FIXTURE_METRICS_TOKEN);
    health.stop();
    const web = new Map(fx.routes.map((r) => [`${r.method} ${r.path}`, r]));
    expect(ops.length).toBeGreaterThan(0);
    for (const r of ops) {
      const w = web.get(`${r.method} ${r.path}`);
      expect(w, `${r.method} ${r.path} is in the web's table`).toBeDefined();
      expect([r.access, r.bearer ?? null], `${r.method} ${r.path}`).toEqual([w!.access, w!.bearer ?? null]);
    }
  });

  it('every route × every persona answers as the table says', async () => {
    const rows: string[] = [];
    for (const r of fx.routes) {
      for (const persona of PERSONAS) {
        const user = persona === 'anonymous' ? undefined : PERSONA_USER[persona];
        const cookie = user ? await fx.cookieFor(user) : undefined;
        const res = await fx.send(r.method, concrete(r), { ...(cookie ? { cookie } : {}), ...(r.method === 'GET' ? {} : { body: {} }) });
        const allowed = allows(r.access, PERSONA_ROLE[persona]);
        const cell = `${r.method} ${r.path} as ${persona}: ${res.status}`;
        rows.push(cell);
        if (allowed) {
          expect([401, 403, 405], cell).not.toContain(res.status);
          expect(res.json?.error?.message, cell).not.toBe('no such API route');
        } else {
          expect(res.status, cell).toBe(persona === 'anonymous' ? 401 : 403);
        }
      }
    }
    expect(rows).toHaveLength(fx.routes.length * PERSONAS.length);
  });

  it('a machine token opens only the routes that name it (the scraper and /metrics), and a wrong one opens nothing', async () => {
    const withToken = fx.routes.filter((r) => r.bearer);
    expect(withToken.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /metrics']);
    for (const r of fx.routes) {
      const res = await fx.send(r.method, concrete(r), { bearer: FIXTURE_METRICS_TOKEN, ...(r.method === 'GET' ? {} : { body: {} }) });
      const cell = `${r.method} ${r.path} as the scraper: ${res.status}`;
      if (r.bearer || r.access === 'public') expect([401, 403, 405], cell).not.toContain(res.status);
      else expect(res.status, cell).toBe(401);
    }
    for (const bearer of [FIXTURE_METRICS_TOKEN.slice(0, -1) + 'X', FIXTURE_METRICS_TOKEN + 'x', 'short']) {
      expect((await fx.send('GET', '/metrics', { bearer })).status).toBe(401);
    }
    // the metrics route keeps its role rule for sessions: admin only
    expect(withToken[0]!.access).toEqual(['ADMIN']);
  });

  it('/metrics answers the Prometheus text format to the scraper and to an admin, and names no secret', async () => {
    const byToken = await fx.send('GET', '/metrics', { bearer: FIXTURE_METRICS_TOKEN });
    expect(byToken.status).toBe(200);
    expect(byToken.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(byToken.json).toMatch(/^# HELP process_cpu_user_seconds_total/m);
    expect(byToken.json).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    const asAdmin = await fx.send('GET', '/metrics', { cookie: await fx.cookieFor(PERSONA_USER.admin) });
    expect(asAdmin.status).toBe(200);
    for (const text of [byToken.json as string, asAdmin.json as string]) {
      expect(text).not.toContain(FIXTURE_METRICS_TOKEN);
      expect(text).not.toContain('fixture-secret');
    }
  });

  it('the health probes are public (a kubelet or a load balancer has no session) and their answers name no secret', async () => {
    const probes = fx.routes.filter((r) => r.path.startsWith('/api/health')).map((r) => `${r.method} ${r.path} ${String(r.access)}`);
    expect(probes).toEqual(['GET /api/health public', 'GET /api/health/ready public', 'GET /api/health/live public']);
    for (const path of ['/api/health', '/api/health/ready', '/api/health/live']) {
      const res = await fx.send('GET', path);
      expect(res.status, path).toBe(200);
      const text = JSON.stringify(res.json);
      for (const secret of [FIXTURE_METRICS_TOKEN, 'fixture-secret', 'memory://', 'postgres']) expect(text, path).not.toContain(secret);
    }
  });

  it('every state change is refused cross-origin, even for an admin', async () => {
    const cookie = await fx.cookieFor(PERSONA_USER.admin);
    const writes = fx.routes.filter((r) => r.method !== 'GET');
    expect(writes.length).toBeGreaterThan(15);
    for (const r of writes) {
      const res = await fx.send(r.method, concrete(r), { cookie, body: {}, origin: 'http://evil.example' });
      expect(res.status, `${r.method} ${r.path}`).toBe(403);
      expect(res.json.error.message).toBe('cross-origin request refused');
    }
  });
});
