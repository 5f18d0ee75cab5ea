-- Call history (docs/database.md "Call history"): the page, its filters, its sorts and the CSV
-- export read `calls` only through these indexes (bench/history-1m.ts measures them on 1,000,000
-- rows). The waited and talked times are stored generated columns, so they can be filtered,
-- sorted and indexed like any other column; the CTI's journal never writes them (its INSERT
-- names its columns), PostgreSQL keeps them in step with the timestamps.

-- waited: arrival until an operator answered or, unanswered, until the call ended; null while it waits
ALTER TABLE "calls" ADD COLUMN "wait_ms" BIGINT GENERATED ALWAYS AS ((extract(epoch FROM (coalesce("answered_at", "ended_at") - "arrived_at")) * 1000)::bigint) STORED;
-- talked: answered until ended; null for a call nobody answered (or still connected)
ALTER TABLE "calls" ADD COLUMN "talk_ms" BIGINT GENERATED ALWAYS AS ((extract(epoch FROM ("ended_at" - "answered_at")) * 1000)::bigint) STORED;

-- newest first, ties by id: the unfiltered first page, date ranges, and the export's keyset
DROP INDEX IF EXISTS "calls_arrived_at_idx";
CREATE INDEX "calls_arrived_at_id_idx" ON "calls"("arrived_at", "id");
-- one queue (and a date range), newest first
CREATE INDEX "calls_queue_arrived_idx" ON "calls"("queue_id", "arrived_at", "id");
-- one operator, or one operator's calls of one outcome, newest first
CREATE INDEX "calls_operator_outcome_arrived_idx" ON "calls"("operator_id", "outcome", "arrived_at", "id");
-- a caller's number, whole or its first digits (LIKE '+44163%'): text_pattern_ops whatever the
-- database's collation; it also answers the after-call work's "this caller's earlier calls" (=)
DROP INDEX IF EXISTS "calls_caller_number_arrived_at_idx";
CREATE INDEX "calls_caller_number_arrived_idx" ON "calls"("caller_number" text_pattern_ops, "arrived_at");
-- one disposition (most calls have none: partial)
CREATE INDEX "calls_disposition_arrived_idx" ON "calls"("disposition_code", "arrived_at") WHERE "disposition_code" IS NOT NULL;
-- longest talk / wait first (and, read backwards, shortest first with the unanswered first)
CREATE INDEX "calls_talk_idx" ON "calls"("talk_ms" DESC NULLS LAST, "id" DESC);
CREATE INDEX "calls_wait_idx" ON "calls"("wait_ms" DESC NULLS LAST, "id" DESC);
