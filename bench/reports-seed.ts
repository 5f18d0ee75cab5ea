/**
 * What the reports read besides the calls of bench/history-seed.ts, made by PostgreSQL from those
 * calls so the figures hang together:
 *   - an `answered` event per answered call (operator and queue, as the CTI stores it);
 *   - a `no-answer` event for one call in twenty (an offer that rang out before another took it);
 *   - the agent state log: per answered call its operator's ready → reserved (offered), reserved →
 *     talking (answered), talking → wrap_up (ended), wrap_up → ready (5 s later); and per operator
 *     and day a sign-in at 08:00 (not ready, "signed_in"), ready at 08:05, a lunch 12:00–12:45 and
 *     a sign-out at 17:00.
 * About 3.5 million state rows for 1,000,000 calls. Then the calls' figures summary (migration
 * 0022's back-fill, what the journal stores with each row) and VACUUM ANALYZE. The report roll-ups
 * (migration 0023) are made by the same triggers the journal's writes fire: every INSERT and
 * UPDATE here (and history-seed.ts's calls) goes through them, no formula of its own.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { END } from './history-seed';

/** Migration 0022's back-fill of the calls' figures summary (the seed writes rows and events by SQL, past the journal). */
function summaryBackfill(): string {
  const sql = readFileSync('prisma/migrations/0022_call_summary/migration.sql', 'utf8');
  return sql.slice(sql.indexOf('-- back-fill'), sql.indexOf("-- the reports' scan"));
}

const DAY = 86_400_000;

export async function seedReportRows(url: string): Promise<{ events: number; states: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const ev = await c.query(`INSERT INTO call_events (call_id, at, seq, type, data)
      SELECT id, answered_at, 3, 'answered', jsonb_build_object('operatorId', operator_id, 'queueId', queue_id) FROM calls WHERE answered_at IS NOT NULL AND operator_id IS NOT NULL`);
    const na = await c.query(`INSERT INTO call_events (call_id, at, seq, type, data)
      SELECT id, offered_at, 2, 'no-answer', jsonb_build_object('operatorId', 'op-' || (1 + (hashint4(substr(id, 3)::int)::bigint & 2147483647) % 300)) FROM calls WHERE substr(id, 3)::int % 20 = 0 AND offered_at IS NOT NULL`);
    // every move in one statement: the roll-up trigger then reads the log once (two would each read every operator's whole history)
    const states = await c.query(`INSERT INTO agent_state_log (user_id, at, "from", "to", reason, reason_code)
      SELECT operator_id, t.at, t.f, t.t, t.why, NULL FROM calls
        CROSS JOIN LATERAL (VALUES (offered_at, 'ready', 'reserved', 'offer'), (answered_at, 'reserved', 'talking', 'answer'),
                                   (ended_at, 'talking', 'wrap_up', 'hang_up'), (ended_at + interval '5 seconds', 'wrap_up', 'ready', 'wrap_up_done')) AS t(at, f, t, why)
       WHERE operator_id IS NOT NULL AND answered_at IS NOT NULL AND ended_at IS NOT NULL
      UNION ALL
      SELECT 'op-' || o, d + t.off, t.f, t.t, t.why, t.code
        FROM generate_series(1, 300) o,
             generate_series(to_timestamp(${(END - 90 * DAY) / 1000}) AT TIME ZONE 'UTC', to_timestamp(${(END - DAY) / 1000}) AT TIME ZONE 'UTC', interval '1 day') d
        CROSS JOIN LATERAL (VALUES (interval '8 hours', 'offline', 'not_ready', 'sign_in', 'signed_in'), (interval '8 hours 5 minutes', 'not_ready', 'ready', 'ready', NULL),
                                   (interval '12 hours', 'ready', 'not_ready', 'not_ready', 'lunch'), (interval '12 hours 45 minutes', 'not_ready', 'ready', 'ready', NULL),
                                   (interval '17 hours', 'ready', 'offline', 'sign_out', NULL)) AS t(off, f, t, why, code)`);
    await c.query(`INSERT INTO codes (id, kind, code, label) VALUES ('nr-lunch', 'not_ready', 'lunch', 'Lunch') ON CONFLICT DO NOTHING`);
    // the calls' summary from the events just made, as the journal would have stored it
    await c.query(summaryBackfill());
    await c.query('VACUUM ANALYZE calls');
    await c.query('VACUUM ANALYZE call_events');
    await c.query('VACUUM ANALYZE agent_state_log');
    for (const t of ['call_queue_rollups', 'call_operator_rollups', 'missed_offer_rollups', 'state_rollups']) await c.query(`VACUUM ANALYZE ${t}`);
    return { events: (ev.rowCount ?? 0) + (na.rowCount ?? 0), states: states.rowCount ?? 0 };
  } finally {
    await c.end();
  }
}
