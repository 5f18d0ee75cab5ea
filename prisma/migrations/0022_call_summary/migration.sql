-- Each call's figures summary on its row (docs/reports.md): the reports sum these columns in SQL
-- instead of reading every call and its events into the server. The journal writes them with the
-- row (server/cti/journal-sql.ts, from the fold of server/cti/domain/queue-figures.ts):
--   counted_queue_id  the queue the call counts for: that of its first operator's answer, else its last
--   first_answered_at the first operator's answer (a forward's outside answer is not one; a row
--                     without any answered event falls back to answered_at unless forwarded)
--   transfers         its blind transfers
ALTER TABLE "calls" ADD COLUMN "counted_queue_id" TEXT;
ALTER TABLE "calls" ADD COLUMN "first_answered_at" TIMESTAMP(3);
ALTER TABLE "calls" ADD COLUMN "transfers" INTEGER NOT NULL DEFAULT 0;

-- back-fill (bench/reports-seed.ts runs the statement below again on the rows it seeds)
WITH "e" AS (
  SELECT "call_id",
         bool_or("type" = 'answered') AS "any_answer",
         count(*) FILTER (WHERE "type" = 'transferred')::int AS "transfers",
         (array_agg("at" ORDER BY "seq") FILTER (WHERE "type" = 'answered' AND NOT "fwd"))[1] AS "first_at",
         (array_agg("qid" ORDER BY "seq") FILTER (WHERE "type" = 'answered' AND NOT "fwd"))[1] AS "first_queue"
    FROM (SELECT "call_id", "seq", "type", "at",
                 COALESCE(jsonb_typeof("data") = 'object' AND "data" ? 'number' AND NOT "data" ? 'operatorId', false) AS "fwd",
                 CASE WHEN jsonb_typeof("data" -> 'queueId') = 'string' THEN "data" ->> 'queueId' END AS "qid"
            FROM "call_events" WHERE "type" IN ('answered', 'transferred')) "x"
   GROUP BY "call_id"
)
UPDATE "calls" "c"
   SET "counted_queue_id" = COALESCE("s"."first_queue", "c"."queue_id"),
       "first_answered_at" = CASE WHEN COALESCE("s"."any_answer", false) THEN "s"."first_at"
                                  WHEN "c"."answered_at" IS NOT NULL AND "c"."outcome" IS DISTINCT FROM 'forwarded' THEN "c"."answered_at" END,
       "transfers" = COALESCE("s"."transfers", 0)
  FROM "calls" "c2" LEFT JOIN "e" "s" ON "s"."call_id" = "c2"."id"
 WHERE "c2"."id" = "c"."id";

-- the reports' scan: a period's inbound calls by arrival, with everything they sum (index-only after VACUUM)
CREATE INDEX "calls_report_idx" ON "calls"("arrived_at") INCLUDE ("counted_queue_id", "first_answered_at", "ended_at", "wrap_up_ended_at", "outcome", "transfers", "operator_id", "answered_at") WHERE "direction" = 'inbound';
