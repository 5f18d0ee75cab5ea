-- 0020_recording_notice: tell the caller their call is recorded (docs/recordings.md, "Telling the caller").
-- When true, a caller of an `always` queue hears "This call may be recorded…" before the bridge,
-- and one of an `on_demand` queue hears "This call is now being recorded" when the operator
-- presses Record. false (the default) records as before, without a word to the caller.
ALTER TABLE "queues" ADD COLUMN "recording_notice" BOOLEAN NOT NULL DEFAULT false;
