-- 0007_call_work: after-call work, caller context, not-ready reasons (docs/database.md, "Call work").

-- After-call work, written by the operator during (or after) the call.
ALTER TABLE "calls" ADD COLUMN "notes" TEXT;
-- a code of kind 'disposition' (no foreign key: codes are retired, never deleted, and the row
-- keeps the code it was given)
ALTER TABLE "calls" ADD COLUMN "disposition_code" TEXT;
ALTER TABLE "calls" ADD COLUMN "wrap_up_extended" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "calls" ADD COLUMN "wrap_up_ended_at" TIMESTAMP(3);
-- the caller's number when their address carried one (the previous calls are found by it)
ALTER TABLE "calls" ADD COLUMN "caller_number" TEXT;
CREATE INDEX "calls_caller_number_arrived_at_idx" ON "calls"("caller_number", "arrived_at");

-- Why an operator is not ready: the admin's not-ready code, or the cause ('missed', 'device').
ALTER TABLE "agent_state_log" ADD COLUMN "reason_code" TEXT;

-- The queue's screen-pop address template ({number}, {callId}), opened when an operator answers.
ALTER TABLE "queues" ADD COLUMN "screen_pop_url" TEXT;
