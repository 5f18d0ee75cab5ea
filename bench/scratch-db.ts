/**
 * A throw-away PostgreSQL database per bench run on the machine's server (127.0.0.1:5432, trust
 * auth), seeded with the platform's own seed and session functions, read back for row counts,
 * the call timelines' order and the backends' pids; dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type PrismaClient } from '../server/db/database';
import { DEMO, seedDemo } from '../server/db/seed';
import { hashPassword } from '../server/db/passwords';
import { SessionService } from '../server/http/session-service';

const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface RowCounts {
  calls: number;
  callEvents: number;
  agentStates: number;
  audit: number;
  sessions: number;
}

export interface TimelineCheck {
  calls: number;
  answered: number;
  /** `caller-hangup` stored before `device-release` (the product's core promise) */
  inOrder: number;
  outcomes: Record<string, number>;
  /** stored times, ms: CTI arrival → offered (queue read, routing) and offered → answered (bank dial, ACD, device) */
  arrivedToOffered: { p50: number; p99: number };
  offeredToAnswered: { p50: number; p99: number };
}

export class ScratchDb {
  private readonly pool: pg.Pool;

  private constructor(
    readonly name: string,
    readonly url: string,
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: 2, application_name: 'pb-bench' });
  }

  static async create(): Promise<ScratchDb> {
    const name = `pb_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    const u = new URL(ADMIN_URL);
    u.pathname = `/${name}`;
    return new ScratchDb(name, u.toString());
  }

  /**
   * Migrations, the demo seed (queue and number), wrap-up 0, the bench's users with one password,
   * and session cookies for the fan-out consoles and supervisors made by the platform's session
   * service directly (2,000 argon2 sign-ins would take minutes on 2 cores).
   */
  async seed(opts: { operators: number; fanout: number; supervisors: number; password: string }): Promise<{ operators: string[]; fanoutCookies: string[]; supervisorCookies: string[] }> {
    const db = await openDatabase({ databaseUrl: this.url, dataDir: 'memory://' });
    try {
      const prisma = db.prisma;
      await seedDemo(prisma, { password: opts.password });
      await prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 0 } });
      // one argon2 hash for every bench user: the same cost at sign-in, not 2,000 hashes here
      const passwordHash = await hashPassword(opts.password);
      const make = (prefix: string, n: number, role: 'OPERATOR' | 'SUPERVISOR') =>
        Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i + 1}`, email: `${prefix}-${i + 1}@bench.local`, name: `${prefix} ${i + 1}`, role, passwordHash }));
      const ops = make('op', opts.operators, 'OPERATOR');
      const fan = make('fan', opts.fanout, 'OPERATOR');
      const sup = make('sup', opts.supervisors, 'SUPERVISOR');
      await prisma.user.createMany({ data: [...ops, ...fan, ...sup] });
      await prisma.queueMember.createMany({ data: ops.map((u) => ({ queueId: DEMO.queue.id, userId: u.id, level: 1 })) });
      return { operators: ops.map((u) => u.email), fanoutCookies: await sessionCookies(prisma, fan.map((u) => u.id)), supervisorCookies: await sessionCookies(prisma, sup.map((u) => u.id)) };
    } finally {
      await db.close();
    }
  }

  async counts(): Promise<RowCounts> {
    const r = await this.pool.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM calls) calls, (SELECT count(*) FROM call_events) events, (SELECT count(*) FROM agent_state_log) states,
              (SELECT count(*) FROM audit_log) audit, (SELECT count(*) FROM sessions) sessions`,
    );
    const row = r.rows[0]!;
    return { calls: Number(row.calls), callEvents: Number(row.events), agentStates: Number(row.states), audit: Number(row.audit), sessions: Number(row.sessions) };
  }

  /** Calls that arrived at or after `since`: answered, and whether the timeline kept the hang-up order. */
  async timelines(since: Date): Promise<TimelineCheck> {
    const r = await this.pool.query<{ outcome: string | null; answered: boolean; in_order: boolean; n: string }>(
      `SELECT c.outcome, c.answered_at IS NOT NULL answered,
              coalesce((SELECT min(seq) FROM call_events e WHERE e.call_id = c.id AND e.type = 'caller-hangup')
                     < (SELECT min(seq) FROM call_events e WHERE e.call_id = c.id AND e.type = 'device-release'), false) in_order,
              count(*) n
         FROM calls c WHERE c.arrived_at >= $1 GROUP BY 1, 2, 3`,
      [since],
    );
    const q = await this.pool.query<Record<string, number | null>>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM offered_at - arrived_at)) * 1000 ao50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM offered_at - arrived_at)) * 1000 ao99,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM answered_at - offered_at)) * 1000 oa50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM answered_at - offered_at)) * 1000 oa99
         FROM calls WHERE arrived_at >= $1 AND answered_at IS NOT NULL`,
      [since],
    );
    const p = q.rows[0] ?? {};
    const n = (v: number | null | undefined) => (v === null || v === undefined ? NaN : Number(v));
    const t: TimelineCheck = {
      calls: 0,
      answered: 0,
      inOrder: 0,
      outcomes: {},
      arrivedToOffered: { p50: n(p.ao50), p99: n(p.ao99) },
      offeredToAnswered: { p50: n(p.oa50), p99: n(p.oa99) },
    };
    for (const row of r.rows) {
      const n = Number(row.n);
      t.calls += n;
      if (row.answered) t.answered += n;
      if (row.in_order) t.inOrder += n;
      const k = row.outcome ?? '(open)';
      t.outcomes[k] = (t.outcomes[k] ?? 0) + n;
    }
    return t;
  }

  /** Calls of the run not ended yet (the platform still holds them). */
  async openCalls(): Promise<number> {
    return Number((await this.pool.query<{ n: string }>('SELECT count(*) n FROM calls WHERE ended_at IS NULL')).rows[0]!.n);
  }

  /** Pids of the server processes serving this database (the platform's pool; not ours). */
  async backendPids(): Promise<number[]> {
    const r = await this.pool.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name NOT LIKE 'pb-bench%'`,
      [this.name],
    );
    return r.rows.map((x) => x.pid);
  }

  /** Pids of the cluster's own processes (WAL writer, checkpointer…): shared with anyone else using the server. */
  async clusterPids(): Promise<number[]> {
    const r = await this.pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE backend_type NOT IN ('client backend')`);
    return r.rows.map((x) => x.pid);
  }

  async drop(): Promise<void> {
    await this.pool.end().catch(() => undefined);
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
}

/** `pb_session=…` cookies made by the platform's session service (what a sign-in stores). */
async function sessionCookies(prisma: PrismaClient, userIds: string[], concurrency = 20): Promise<string[]> {
  const sessions = new SessionService({ prisma, ttlSec: 3600, secureCookie: false });
  const out = new Array<string>(userIds.length);
  for (let i = 0; i < userIds.length; i += concurrency) {
    await Promise.all(userIds.slice(i, i + concurrency).map(async (id, k) => (out[i + k] = (await sessions.create(id)).setCookie.split(';')[0]!)));
  }
  return out;
}
