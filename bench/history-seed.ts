/**
 * 1,000,000 stored calls (or `calls`) for bench/history-1m.ts, made by PostgreSQL itself with one
 * INSERT … SELECT generate_series: 90 days up to END, 12 queues, 300 operators, 60,000 caller
 * numbers (+4416329xxxxx), 85 % answered, 10 % abandoned, 3 % timed out, 2 % closed; 30 % of the
 * answered have a disposition, 5 % notes (with a comma and quotes), 4 % outbound; one arrival
 * event per call (the caller's name, for about half of them). Then VACUUM
 * ANALYZE, as autovacuum would have done on a live site.
 */
import pg from 'pg';

const DAY = 86_400_000;
export const END = Date.parse('2026-12-01T00:00:00Z');
const START = END - 90 * DAY;

export async function seedCalls(url: string, calls: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`INSERT INTO users (id, email, name, role, password_hash)
      SELECT 'op-' || i, 'op-' || i || '@bench.local', 'Operator ' || i, 'OPERATOR', 'x' FROM generate_series(1, 300) i`);
    await c.query(`INSERT INTO queues (id, name, ring_timeout_sec, wrap_up_sec)
      SELECT 'q-' || i, 'Queue ' || i, 20, 5 FROM generate_series(1, 12) i`);
    await c.query(`INSERT INTO codes (id, kind, code, label) VALUES ('d1','disposition','resolved','Resolved'), ('d2','disposition','callback','Call back') ON CONFLICT DO NOTHING`);
    // i drives every column through a few hashes of itself: repeatable, spread, no correlation between columns
    await c.query(
      `INSERT INTO calls (id, acd_leg_id, dialed, caller_id, caller_number, queue_id, operator_id, arrived_at, offered_at, answered_at, ended_at, ended_by, outcome, disposition_code, notes, direction)
       SELECT 'c-' || i, 'leg-' || i, '+15550100', 'sip:' || num || '@trunk', num, 'q-' || (1 + h % 12),
              CASE WHEN outcome = 'completed' THEN 'op-' || (1 + (h / 12) % 300) END,
              arrived, arrived + interval '1 second',
              CASE WHEN outcome = 'completed' THEN arrived + wait END,
              arrived + wait + CASE WHEN outcome = 'completed' THEN talk ELSE interval '0' END,
              CASE WHEN h % 3 = 0 THEN 'operator' ELSE 'caller' END, outcome,
              CASE WHEN outcome = 'completed' AND h % 10 < 3 THEN (ARRAY['resolved','callback'])[(1 + h % 2)::int] END,
              CASE WHEN h % 20 = 0 THEN 'Asked about invoice ' || i || ', "urgent"' END,
              CASE WHEN h % 25 = 0 THEN 'outbound' ELSE 'inbound' END
         FROM (SELECT i, h, '+4416329' || lpad((h % 60000)::text, 5, '0') AS num,
                      to_timestamp(${START / 1000} + (i::float8 / ${calls}) * ${(90 * DAY) / 1000}) AT TIME ZONE 'UTC' AS arrived,
                      make_interval(secs => (h / 7) % 120) AS wait, make_interval(secs => 20 + (h / 11) % 900) AS talk,
                      CASE WHEN h % 100 < 85 THEN 'completed' WHEN h % 100 < 95 THEN 'abandoned' WHEN h % 100 < 98 THEN 'timeout' ELSE 'closed' END AS outcome
                 FROM (SELECT i, hashint4(i)::bigint & 2147483647 AS h FROM generate_series(1, ${calls}) i) s) t`,
    );
    // each call's arrival event: the history reads the caller's name from it (half the callers give one)
    await c.query(`INSERT INTO call_events (call_id, at, seq, type, data)
      SELECT id, arrived_at, 1, 'arrived', CASE WHEN substr(id, 3)::int % 2 = 0 THEN jsonb_build_object('callerName', 'Caller ' || substr(id, 3)) ELSE '{}'::jsonb END FROM calls`);
    await c.query('VACUUM ANALYZE calls');
    await c.query('VACUUM ANALYZE call_events');
  } finally {
    await c.end();
  }
}
