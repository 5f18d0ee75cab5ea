-- Report roll-ups (docs/reports.md, *Roll-ups*): the reports' sums kept per UTC bucket of 15 minutes,
-- 1 hour and 1 day ("grain", in minutes), so a report of a week or a month reads whole buckets
-- instead of every call and every state move. They are kept by statement-level triggers on the
-- journal's own tables, so the journal's write-behind batch (server/cti/journal-sql.ts) updates
-- them in the same statements and transaction — no extra round trip, no read on the CTI's hot
-- path — and so does any other writer (a fixture, an import, the bench's seed, the back-fill
-- below): one formula for all of them. Each bucket holds what its calls (by arrival) or its share
-- of each state span (split at the bucket's edges) contribute; an update subtracts the row's old
-- contribution and adds the new one (increments: UPSERT ... SET x = x + EXCLUDED.x).
-- The reports (server/admin/report-rollups-sql.ts) read whole buckets from here and the uneven
-- edges of a range from the raw rows; report-rollups.postgres.test.ts holds both equal.

-- per counted queue: the figures of server/admin/report-sums-sql.ts. "sl_ms" is the service-level
-- target the bucket's "answered_in_target" was counted with (the queue's at the time), -1 when
-- counted with more than one: the reports read such a bucket from the calls instead.
CREATE TABLE "call_queue_rollups" (
  "grain" SMALLINT NOT NULL, "bucket" TIMESTAMP(3) NOT NULL, "queue_id" TEXT NOT NULL, "sl_ms" INTEGER NOT NULL,
  "offered" INTEGER NOT NULL, "answered" INTEGER NOT NULL, "answered_in_target" INTEGER NOT NULL,
  "abandoned" INTEGER NOT NULL, "short_abandoned" INTEGER NOT NULL, "other_unanswered" INTEGER NOT NULL, "still_waiting" INTEGER NOT NULL,
  "answer_wait_ms" BIGINT NOT NULL, "handled" INTEGER NOT NULL, "handle_ms" BIGINT NOT NULL, "transfers" INTEGER NOT NULL,
  "aw0" INTEGER NOT NULL, "aw1" INTEGER NOT NULL, "aw2" INTEGER NOT NULL, "aw3" INTEGER NOT NULL, "aw4" INTEGER NOT NULL, "aw5" INTEGER NOT NULL,
  "bw0" INTEGER NOT NULL, "bw1" INTEGER NOT NULL, "bw2" INTEGER NOT NULL, "bw3" INTEGER NOT NULL, "bw4" INTEGER NOT NULL, "bw5" INTEGER NOT NULL,
  CONSTRAINT "call_queue_rollups_pkey" PRIMARY KEY ("grain", "bucket", "queue_id")
);
-- per operator (the row's operator): answered inbound calls that ended, by arrival, and their handle time
CREATE TABLE "call_operator_rollups" (
  "grain" SMALLINT NOT NULL, "bucket" TIMESTAMP(3) NOT NULL, "operator_id" TEXT NOT NULL,
  "handled" INTEGER NOT NULL, "handle_ms" BIGINT NOT NULL,
  CONSTRAINT "call_operator_rollups_pkey" PRIMARY KEY ("grain", "bucket", "operator_id") INCLUDE ("handled", "handle_ms")
);
-- per operator named by a no-answer event, by the event's time
CREATE TABLE "missed_offer_rollups" (
  "grain" SMALLINT NOT NULL, "bucket" TIMESTAMP(3) NOT NULL, "operator_id" TEXT NOT NULL, "missed" INTEGER NOT NULL,
  CONSTRAINT "missed_offer_rollups_pkey" PRIMARY KEY ("grain", "bucket", "operator_id") INCLUDE ("missed")
);
-- per operator, state and not-ready reason ('' = none): ms of the bucket spent in it, from the
-- state log's completed spans (each move until the operator's next); offline is not kept
CREATE TABLE "state_rollups" (
  "grain" SMALLINT NOT NULL, "bucket" TIMESTAMP(3) NOT NULL, "user_id" TEXT NOT NULL, "state" TEXT NOT NULL, "reason" TEXT NOT NULL, "ms" BIGINT NOT NULL,
  CONSTRAINT "state_rollups_pkey" PRIMARY KEY ("grain", "bucket", "user_id", "state", "reason") INCLUDE ("ms"),
  CONSTRAINT "state_rollups_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE FUNCTION "report_ms"(x INTERVAL) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$ SELECT round(extract(epoch FROM x) * 1000)::bigint $$;
CREATE FUNCTION "report_grains"() RETURNS TABLE ("m" SMALLINT) LANGUAGE sql IMMUTABLE AS $$ VALUES (15::smallint), (60::smallint), (1440::smallint) $$;
CREATE FUNCTION "report_bucket"(m SMALLINT, t TIMESTAMP) RETURNS TIMESTAMP LANGUAGE sql IMMUTABLE AS $$ SELECT date_bin(make_interval(mins => m), t, TIMESTAMP '1970-01-01') $$;

-- What one call contributes to its queue's buckets (the rules of report-sums-sql.ts `sums`, line
-- for line: counted when inbound, with a counted queue, not closed; wait = first answer − arrival;
-- an unanswered abandon within 5 s is short; waits in WAIT_BUCKETS 0/10/30/60/120/300 s).
CREATE FUNCTION "report_call_parts"(c "calls") RETURNS TABLE (
  "grain" SMALLINT, "bucket" TIMESTAMP, "queue_id" TEXT, "sl_ms" INTEGER, "offered" INTEGER, "answered" INTEGER, "answered_in_target" INTEGER,
  "abandoned" INTEGER, "short_abandoned" INTEGER, "other_unanswered" INTEGER, "still_waiting" INTEGER, "answer_wait_ms" BIGINT,
  "handled" INTEGER, "handle_ms" BIGINT, "transfers" INTEGER, "aw" INTEGER, "bw" INTEGER
) LANGUAGE sql STABLE AS $$
  SELECT g."m", report_bucket(g."m", c."arrived_at"), c."counted_queue_id", x."sl",
         1, (x."fa")::int, (x."fa" AND x."wait" <= x."sl")::int,
         (x."ab" AND x."left" > 5000)::int, (x."ab" AND x."left" <= 5000)::int,
         (NOT x."fa" AND c."ended_at" IS NOT NULL AND c."outcome" IS DISTINCT FROM 'abandoned')::int,
         (NOT x."fa" AND c."ended_at" IS NULL)::int,
         CASE WHEN x."fa" THEN x."wait" ELSE 0 END,
         (x."fa" AND c."ended_at" IS NOT NULL)::int,
         CASE WHEN x."fa" AND c."ended_at" IS NOT NULL THEN greatest(0, report_ms(c."ended_at" - c."first_answered_at")) + COALESCE(greatest(0, report_ms(c."wrap_up_ended_at" - c."ended_at")), 0) ELSE 0 END,
         c."transfers",
         -- the wait bucket (0..5) of an answered call / of an abandoned one, -1 for neither
         CASE WHEN x."fa" THEN width_bucket(x."wait", ARRAY[0, 10000, 30000, 60000, 120000, 300000]::bigint[]) - 1 ELSE -1 END,
         CASE WHEN x."ab" THEN width_bucket(x."left", ARRAY[0, 10000, 30000, 60000, 120000, 300000]::bigint[]) - 1 ELSE -1 END
    FROM (SELECT c."first_answered_at" IS NOT NULL AS "fa",
                 c."first_answered_at" IS NULL AND c."ended_at" IS NOT NULL AND c."outcome" = 'abandoned' AS "ab",
                 greatest(0, report_ms(c."first_answered_at" - c."arrived_at")) AS "wait",
                 greatest(0, report_ms(c."ended_at" - c."arrived_at")) AS "left",
                 COALESCE((SELECT q."sl_threshold_sec" FROM "queues" q WHERE q."id" = c."counted_queue_id"), 20) * 1000 AS "sl") x
   CROSS JOIN report_grains() g
   WHERE c."direction" = 'inbound' AND c."counted_queue_id" IS NOT NULL AND c."outcome" IS DISTINCT FROM 'closed'
$$;

-- What one call contributes to its operator's buckets (report-sums-sql.ts `operatorHandledSql`).
CREATE FUNCTION "report_call_operator_parts"(c "calls") RETURNS TABLE ("grain" SMALLINT, "bucket" TIMESTAMP, "operator_id" TEXT, "handle_ms" BIGINT) LANGUAGE sql IMMUTABLE AS $$
  SELECT g."m", report_bucket(g."m", c."arrived_at"), c."operator_id",
         greatest(0, report_ms(c."ended_at" - c."answered_at")) + COALESCE(greatest(0, report_ms(c."wrap_up_ended_at" - c."ended_at")), 0)
    FROM report_grains() g
   WHERE c."direction" = 'inbound' AND c."operator_id" IS NOT NULL AND c."answered_at" IS NOT NULL AND c."ended_at" IS NOT NULL
$$;

-- The statements that add the calls of `src` (a query of (c calls, s int): s = 1 to add a row, -1
-- to take it away) to both call roll-ups, one grouped UPSERT each. Run by the triggers and the
-- back-fill (the caller EXECUTEs them: a trigger's transition tables are seen by its own queries only).
CREATE FUNCTION "report_calls_sql"(src TEXT) RETURNS TEXT[] LANGUAGE plpgsql IMMUTABLE AS $f$
DECLARE
  w TEXT := '';
BEGIN
  FOR i IN 0..5 LOOP
    w := w || format(', sum(d.s * (p.aw = %1$s)::int), sum(d.s * (p.bw = %1$s)::int)', i);
  END LOOP;
  RETURN ARRAY[format($q$
    INSERT INTO "call_queue_rollups" AS r ("grain", "bucket", "queue_id", "sl_ms", "offered", "answered", "answered_in_target", "abandoned", "short_abandoned",
           "other_unanswered", "still_waiting", "answer_wait_ms", "handled", "handle_ms", "transfers", "aw0", "bw0", "aw1", "bw1", "aw2", "bw2", "aw3", "bw3", "aw4", "bw4", "aw5", "bw5")
    SELECT p."grain", p."bucket", p."queue_id", CASE WHEN min(p."sl_ms") = max(p."sl_ms") THEN min(p."sl_ms") ELSE -1 END,
           sum(d.s * p."offered"), sum(d.s * p."answered"), sum(d.s * p."answered_in_target"), sum(d.s * p."abandoned"), sum(d.s * p."short_abandoned"),
           sum(d.s * p."other_unanswered"), sum(d.s * p."still_waiting"), sum(d.s * p."answer_wait_ms"), sum(d.s * p."handled"), sum(d.s * p."handle_ms"), sum(d.s * p."transfers") %s
      FROM (%s) d CROSS JOIN LATERAL report_call_parts(d.c) p
     GROUP BY 1, 2, 3
    ON CONFLICT ("grain", "bucket", "queue_id") DO UPDATE SET
      "sl_ms" = CASE WHEN r."sl_ms" = EXCLUDED."sl_ms" THEN r."sl_ms" ELSE -1 END,
      "offered" = r."offered" + EXCLUDED."offered", "answered" = r."answered" + EXCLUDED."answered", "answered_in_target" = r."answered_in_target" + EXCLUDED."answered_in_target",
      "abandoned" = r."abandoned" + EXCLUDED."abandoned", "short_abandoned" = r."short_abandoned" + EXCLUDED."short_abandoned",
      "other_unanswered" = r."other_unanswered" + EXCLUDED."other_unanswered", "still_waiting" = r."still_waiting" + EXCLUDED."still_waiting",
      "answer_wait_ms" = r."answer_wait_ms" + EXCLUDED."answer_wait_ms", "handled" = r."handled" + EXCLUDED."handled", "handle_ms" = r."handle_ms" + EXCLUDED."handle_ms",
      "transfers" = r."transfers" + EXCLUDED."transfers",
      "aw0" = r."aw0" + EXCLUDED."aw0", "aw1" = r."aw1" + EXCLUDED."aw1", "aw2" = r."aw2" + EXCLUDED."aw2", "aw3" = r."aw3" + EXCLUDED."aw3", "aw4" = r."aw4" + EXCLUDED."aw4", "aw5" = r."aw5" + EXCLUDED."aw5",
      "bw0" = r."bw0" + EXCLUDED."bw0", "bw1" = r."bw1" + EXCLUDED."bw1", "bw2" = r."bw2" + EXCLUDED."bw2", "bw3" = r."bw3" + EXCLUDED."bw3", "bw4" = r."bw4" + EXCLUDED."bw4", "bw5" = r."bw5" + EXCLUDED."bw5"
  $q$, w, src), format($q$
    INSERT INTO "call_operator_rollups" AS r ("grain", "bucket", "operator_id", "handled", "handle_ms")
    SELECT p."grain", p."bucket", p."operator_id", sum(d.s), sum(d.s * p."handle_ms")
      FROM (%s) d CROSS JOIN LATERAL report_call_operator_parts(d.c) p
     GROUP BY 1, 2, 3
    ON CONFLICT ("grain", "bucket", "operator_id") DO UPDATE SET "handled" = r."handled" + EXCLUDED."handled", "handle_ms" = r."handle_ms" + EXCLUDED."handle_ms"
  $q$, src)];
END
$f$;

-- The statement that adds the no-answer events of `src` ((e call_events, s int)) to the missed offers (report-sums-sql.ts `missedOffersSql`).
CREATE FUNCTION "report_events_sql"(src TEXT) RETURNS TEXT[] LANGUAGE plpgsql IMMUTABLE AS $f$
BEGIN
  RETURN ARRAY[format($q$
    INSERT INTO "missed_offer_rollups" AS r ("grain", "bucket", "operator_id", "missed")
    SELECT g."m", report_bucket(g."m", (d.e)."at"), (d.e)."data" ->> 'operatorId', sum(d.s)
      FROM (%s) d CROSS JOIN report_grains() g
     WHERE (d.e)."type" = 'no-answer' AND jsonb_typeof((d.e)."data" -> 'operatorId') = 'string'
     GROUP BY 1, 2, 3
    ON CONFLICT ("grain", "bucket", "operator_id") DO UPDATE SET "missed" = r."missed" + EXCLUDED."missed"
  $q$, src)];
END
$f$;

-- A state span [a, b) cut at each grain's bucket edges.
CREATE FUNCTION "report_span_parts"(a TIMESTAMP, b TIMESTAMP) RETURNS TABLE ("grain" SMALLINT, "bucket" TIMESTAMP, "ms" BIGINT) LANGUAGE sql IMMUTABLE AS $$
  SELECT g."m", k, report_ms(least(b, k + make_interval(mins => g."m")) - greatest(a, k))
    FROM report_grains() g CROSS JOIN LATERAL generate_series(report_bucket(g."m", a), b, make_interval(mins => g."m")) k
   WHERE b > a AND k < b
$$;

-- The statement that adds the state moves of `src` (a query of the new rows' ids) to the state roll-ups. Each move lasts
-- until the operator's next (by time, then id: state-spans-sql.ts). For each operator it reads
-- their moves from the one before their first new move to the one after their last (one index
-- range on (user_id, at); in the journal's case the last stored move and the new ones), adds every
-- span that begins or ends at a new move, and takes away each old span a run of new moves now cuts
-- (a move stored out of order). The last move of each operator is still going: it is not kept
-- here (the reports add it, state-rollups-sql.ts).
CREATE FUNCTION "report_states_sql"(src TEXT) RETURNS TEXT[] LANGUAGE plpgsql IMMUTABLE AS $f$
BEGIN
  RETURN ARRAY[format($q$
    WITH n AS (SELECT s."id", s."user_id", s."at" FROM "agent_state_log" s WHERE s."id" IN (%s)),
    u AS (SELECT n."user_id", min(n."at") AS "fa", max(n."at") AS "la" FROM n GROUP BY 1),
    rg AS (SELECT u."user_id",
                  COALESCE((SELECT max(s."at") FROM "agent_state_log" s WHERE s."user_id" = u."user_id" AND s."at" < u."fa"), u."fa") AS "lo",
                  COALESCE((SELECT min(s."at") FROM "agent_state_log" s WHERE s."user_id" = u."user_id" AND s."at" > u."la"), u."la") AS "hi" FROM u),
    -- "new" by a join, not `IN (SELECT …)` in the select list: that subplan is hashed only if it fits in work_mem (a back-fill's millions would be quadratic)
    w AS (SELECT s."user_id", s."at", s."id", s."to", s."reason_code", n."id" IS NOT NULL AS "new"
            FROM rg JOIN "agent_state_log" s ON s."user_id" = rg."user_id" AND s."at" >= rg."lo" AND s."at" <= rg."hi" LEFT JOIN n ON n."id" = s."id"),
    x AS (SELECT w.*, lead(w."at") OVER o AS "nat", lead(w."new") OVER o AS "nnew" FROM w WINDOW o AS (PARTITION BY w."user_id" ORDER BY w."at", w."id")),
    sp AS (SELECT x."user_id", x."to", x."reason_code", x."at" AS "a", x."nat" AS "b", 1 AS "s" FROM x WHERE x."nat" IS NOT NULL AND (x."new" OR x."nnew")
           UNION ALL
           SELECT y."user_id", y."to", y."reason_code", y."at", y."onat", -1
             FROM (SELECT x.*, lead(x."at") OVER (PARTITION BY x."user_id" ORDER BY x."at", x."id") AS "onat" FROM x WHERE NOT x."new") y
            WHERE y."nnew" AND y."onat" IS NOT NULL)
    INSERT INTO "state_rollups" AS r ("grain", "bucket", "user_id", "state", "reason", "ms")
    SELECT p."grain", p."bucket", sp."user_id", sp."to", CASE WHEN sp."to" = 'not_ready' THEN COALESCE(sp."reason_code", '') ELSE '' END, sum(sp."s" * p."ms")
      FROM sp CROSS JOIN LATERAL report_span_parts(sp."a", sp."b") p
     WHERE sp."to" <> 'offline'
     GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT ("grain", "bucket", "user_id", "state", "reason") DO UPDATE SET "ms" = r."ms" + EXCLUDED."ms"
  $q$, src)];
END
$f$;

CREATE FUNCTION "report_calls_trigger"() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
  q TEXT;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    TRUNCATE "call_queue_rollups", "call_operator_rollups";
    RETURN NULL;
  END IF;
  FOREACH q IN ARRAY report_calls_sql(CASE TG_OP
      WHEN 'INSERT' THEN 'SELECT ROW(c.*)::"calls" AS c, 1 AS s FROM "report_new" c'
      WHEN 'UPDATE' THEN 'SELECT ROW(c.*)::"calls" AS c, 1 AS s FROM "report_new" c UNION ALL SELECT ROW(c.*)::"calls", -1 FROM "report_old" c'
      ELSE 'SELECT ROW(c.*)::"calls" AS c, -1 AS s FROM "report_old" c' END) LOOP
    EXECUTE q;
  END LOOP;
  RETURN NULL;
END
$f$;
CREATE TRIGGER "calls_rollup_ins" AFTER INSERT ON "calls" REFERENCING NEW TABLE AS "report_new" FOR EACH STATEMENT EXECUTE FUNCTION report_calls_trigger();
CREATE TRIGGER "calls_rollup_upd" AFTER UPDATE ON "calls" REFERENCING OLD TABLE AS "report_old" NEW TABLE AS "report_new" FOR EACH STATEMENT EXECUTE FUNCTION report_calls_trigger();
CREATE TRIGGER "calls_rollup_del" AFTER DELETE ON "calls" REFERENCING OLD TABLE AS "report_old" FOR EACH STATEMENT EXECUTE FUNCTION report_calls_trigger();
CREATE TRIGGER "calls_rollup_trunc" AFTER TRUNCATE ON "calls" FOR EACH STATEMENT EXECUTE FUNCTION report_calls_trigger();

CREATE FUNCTION "report_events_trigger"() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
  q TEXT;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    TRUNCATE "missed_offer_rollups";
    RETURN NULL;
  END IF;
  FOREACH q IN ARRAY report_events_sql(CASE TG_OP
      WHEN 'INSERT' THEN 'SELECT ROW(e.*)::"call_events" AS e, 1 AS s FROM "report_new" e'
      WHEN 'UPDATE' THEN 'SELECT ROW(e.*)::"call_events" AS e, 1 AS s FROM "report_new" e UNION ALL SELECT ROW(e.*)::"call_events", -1 FROM "report_old" e'
      ELSE 'SELECT ROW(e.*)::"call_events" AS e, -1 AS s FROM "report_old" e' END) LOOP
    EXECUTE q;
  END LOOP;
  RETURN NULL;
END
$f$;
CREATE TRIGGER "call_events_rollup_ins" AFTER INSERT ON "call_events" REFERENCING NEW TABLE AS "report_new" FOR EACH STATEMENT EXECUTE FUNCTION report_events_trigger();
CREATE TRIGGER "call_events_rollup_upd" AFTER UPDATE ON "call_events" REFERENCING OLD TABLE AS "report_old" NEW TABLE AS "report_new" FOR EACH STATEMENT EXECUTE FUNCTION report_events_trigger();
CREATE TRIGGER "call_events_rollup_del" AFTER DELETE ON "call_events" REFERENCING OLD TABLE AS "report_old" FOR EACH STATEMENT EXECUTE FUNCTION report_events_trigger();
CREATE TRIGGER "call_events_rollup_trunc" AFTER TRUNCATE ON "call_events" FOR EACH STATEMENT EXECUTE FUNCTION report_events_trigger();

-- the state log is append-only (the journal inserts; a user's removal cascades to both)
CREATE FUNCTION "report_states_trigger"() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    TRUNCATE "state_rollups";
  ELSE
    EXECUTE (report_states_sql('SELECT n."id" FROM "report_new" n'))[1];
  END IF;
  RETURN NULL;
END
$f$;
CREATE TRIGGER "agent_state_log_rollup_ins" AFTER INSERT ON "agent_state_log" REFERENCING NEW TABLE AS "report_new" FOR EACH STATEMENT EXECUTE FUNCTION report_states_trigger();
CREATE TRIGGER "agent_state_log_rollup_trunc" AFTER TRUNCATE ON "agent_state_log" FOR EACH STATEMENT EXECUTE FUNCTION report_states_trigger();

-- back-fill from the rows already stored, through the same functions (empty on a fresh clone;
-- bench/reports-seed.ts and report-rollups.postgres.test.ts run this statement again)
-- rebuild:
TRUNCATE "call_queue_rollups", "call_operator_rollups", "missed_offer_rollups", "state_rollups";
DO $$
DECLARE
  q TEXT;
BEGIN
  FOREACH q IN ARRAY report_calls_sql('SELECT c, 1 AS s FROM "calls" c') || report_events_sql('SELECT e, 1 AS s FROM "call_events" e') || report_states_sql('SELECT "id" FROM "agent_state_log"') LOOP
    EXECUTE q;
  END LOOP;
END
$$;
-- end of rebuild
