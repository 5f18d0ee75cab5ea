-- 0005_schedules: business hours and holidays (docs/database.md, "Schedules"), and what a
-- queue or a number does while its schedule says closed.

-- A schedule: an IANA time zone, weekly opening intervals and holidays. The intervals and the
-- holidays are JSON in the schedule's row: they are edited, validated (server/contracts/admin/
-- schedules.ts), versioned and audited as one object, and the CTI caches whole schedules.
CREATE TABLE "schedules" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    -- [{ "day": 0-6 (0 = Monday), "start": "HH:MM", "end": "HH:MM" (24:00 = midnight) }]
    "weekly" JSONB NOT NULL DEFAULT '[]',
    -- [{ "name", "from": "YYYY-MM-DD", "to": "YYYY-MM-DD", "hours": [{ "start", "end" }] }] (no hours: closed all day)
    "holidays" JSONB NOT NULL DEFAULT '[]',
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT,
    CONSTRAINT "schedules_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "schedules_name_key" ON "schedules"("name");

-- Queues and numbers: a schedule (none = always open), the closed message and the closed action.
-- ON DELETE RESTRICT: the service refuses to delete a schedule in use with a clear reason; the
-- constraint is the backstop.
ALTER TABLE "queues" ADD COLUMN "schedule_id" TEXT;
ALTER TABLE "queues" ADD COLUMN "closed_audio" TEXT;
ALTER TABLE "queues" ADD COLUMN "closed_action" TEXT NOT NULL DEFAULT 'release';
ALTER TABLE "queues" ADD COLUMN "closed_queue_id" TEXT;
ALTER TABLE "queues" ADD COLUMN "closed_number" TEXT;
ALTER TABLE "queues" ADD CONSTRAINT "queues_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "schedules"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "queues" ADD CONSTRAINT "queues_closed_queue_id_fkey" FOREIGN KEY ("closed_queue_id") REFERENCES "queues"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "queues" ADD CONSTRAINT "queues_closed_action_check" CHECK ("closed_action" IN ('release', 'overflow_queue', 'overflow_number'));
CREATE INDEX "queues_schedule_id_idx" ON "queues"("schedule_id");

ALTER TABLE "numbers" ADD COLUMN "schedule_id" TEXT;
ALTER TABLE "numbers" ADD COLUMN "closed_audio" TEXT;
ALTER TABLE "numbers" ADD COLUMN "closed_action" TEXT NOT NULL DEFAULT 'release';
ALTER TABLE "numbers" ADD COLUMN "closed_queue_id" TEXT;
ALTER TABLE "numbers" ADD COLUMN "closed_number" TEXT;
ALTER TABLE "numbers" ADD CONSTRAINT "numbers_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "schedules"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "numbers" ADD CONSTRAINT "numbers_closed_queue_id_fkey" FOREIGN KEY ("closed_queue_id") REFERENCES "queues"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "numbers" ADD CONSTRAINT "numbers_closed_action_check" CHECK ("closed_action" IN ('release', 'overflow_queue', 'overflow_number'));
CREATE INDEX "numbers_schedule_id_idx" ON "numbers"("schedule_id");
