import { noFigureEvents, summaryOf } from './domain/queue-figures';
import type { AgentStateRow, CallEventRow, CallRow, JournalBatch } from './ports/cti-store';

/** One parameterised statement ($1, $2, … placeholders: PostgreSQL and PGlite). */
export interface SqlStatement {
  sql: string;
  params: unknown[];
}

/**
 * The journal batch as three statements, in the order they must run: call rows (inserted, or
 * replaced whole by id: each carries everything the CTI knows of the call), their timeline
 * events, then agent states. Each takes one array per column and `unnest`s them, so its text is
 * the same whatever the batch's size: one plan for the database, one entry in the client's query
 * cache (a multi-row VALUES list would make a new statement text for every batch size). Times go
 * as ISO strings turned into UTC `timestamp(3)`, the columns' type, so the session's time zone
 * cannot shift them.
 */
export function journalStatements(b: JournalBatch): SqlStatement[] {
  const out: SqlStatement[] = [];
  if (b.calls.length > 0) out.push(callsUpsert(b.calls));
  if (b.events.length > 0) out.push(eventsInsert(b.events));
  if (b.agentStates.length > 0) out.push(agentStatesInsert(b.agentStates));
  return out;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const utc = (c: string) => `(${c} AT TIME ZONE 'UTC')`;

const CALL_COLS = [
  'acd_leg_id', 'dialed', 'caller_id', 'caller_number', 'queue_id', 'operator_id', 'arrived_at', 'offered_at', 'answered_at', 'ended_at', 'ended_by', 'outcome',
  'notes', 'disposition_code', 'wrap_up_extended', 'wrap_up_ended_at', 'direction',
  // the figures' summary (migration 0022): what the reports sum in SQL (server/admin/report-sums-sql.ts)
  'counted_queue_id', 'first_answered_at', 'transfers',
];
const CALLS_SQL =
  `INSERT INTO "calls" ("id", ${CALL_COLS.map((c) => `"${c}"`).join(', ')}) ` +
  `SELECT id, leg, dialed, caller, caller_number, queue, operator, ${utc('arrived')}, ${utc('offered')}, ${utc('answered')}, ${utc('ended')}, ended_by, outcome, ` +
  `notes, disposition, wrap_up_extended, ${utc('wrap_up_ended')}, direction, counted_queue, ${utc('first_answered')}, transfers ` +
  `FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::timestamptz[], $12::text[], $13::text[], ` +
  `$14::text[], $15::text[], $16::boolean[], $17::timestamptz[], $18::text[], $19::text[], $20::timestamptz[], $21::int[]) ` +
  `AS t(id, leg, dialed, caller, caller_number, queue, operator, arrived, offered, answered, ended, ended_by, outcome, notes, disposition, wrap_up_extended, wrap_up_ended, direction, counted_queue, first_answered, transfers) ` +
  `ON CONFLICT ("id") DO UPDATE SET ${CALL_COLS.map((c) => `"${c}" = EXCLUDED."${c}"`).join(', ')} ` +
  // an ended row is changed only by an ended row: a call handed to another CTI node may have its old node's last batch land late
  `WHERE "calls"."ended_at" IS NULL OR EXCLUDED."ended_at" IS NOT NULL`;

function callsUpsert(rows: CallRow[]): SqlStatement {
  const sums = rows.map((r) => summaryOf(r, r.figures ?? noFigureEvents()));
  return {
    sql: CALLS_SQL,
    params: [
      rows.map((r) => r.id),
      rows.map((r) => r.acdLegId),
      rows.map((r) => r.dialed),
      rows.map((r) => r.callerId),
      rows.map((r) => r.callerNumber ?? null),
      rows.map((r) => r.queueId ?? null),
      rows.map((r) => r.operatorId ?? null),
      rows.map((r) => iso(r.arrivedAt)),
      rows.map((r) => iso(r.offeredAt)),
      rows.map((r) => iso(r.answeredAt)),
      rows.map((r) => iso(r.endedAt)),
      rows.map((r) => r.endedBy ?? null),
      rows.map((r) => r.outcome ?? null),
      rows.map((r) => r.notes ?? null),
      rows.map((r) => r.dispositionCode ?? null),
      rows.map((r) => r.wrapUpExtended),
      rows.map((r) => iso(r.wrapUpEndedAt)),
      rows.map((r) => r.direction ?? 'inbound'),
      sums.map((x) => x.countedQueueId),
      sums.map((x) => (x.firstAnsweredAt === null ? null : new Date(x.firstAnsweredAt).toISOString())),
      sums.map((x) => x.transfers),
    ],
  };
}

const EVENTS_SQL =
  `INSERT INTO "call_events" ("call_id", "seq", "type", "at", "data") ` +
  `SELECT call_id, seq, type, ${utc('at')}, data::jsonb FROM unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[], $5::text[]) AS t(call_id, seq, type, at, data)`;

function eventsInsert(rows: CallEventRow[]): SqlStatement {
  return {
    sql: EVENTS_SQL,
    params: [rows.map((r) => r.callId), rows.map((r) => r.seq), rows.map((r) => r.type), rows.map((r) => iso(r.at)), rows.map((r) => (r.data === undefined ? null : JSON.stringify(r.data)))],
  };
}

const STATES_SQL =
  `INSERT INTO "agent_state_log" ("user_id", "at", "from", "to", "reason", "reason_code") ` +
  `SELECT user_id, ${utc('at')}, "from", "to", reason, reason_code FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(user_id, at, "from", "to", reason, reason_code)`;

function agentStatesInsert(rows: AgentStateRow[]): SqlStatement {
  return {
    sql: STATES_SQL,
    params: [rows.map((r) => r.userId), rows.map((r) => iso(r.at)), rows.map((r) => r.from), rows.map((r) => r.to), rows.map((r) => r.reason), rows.map((r) => r.reasonCode ?? null)],
  };
}
