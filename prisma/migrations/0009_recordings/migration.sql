-- 0009_recordings: recording policy and retention per queue, and the recordings made
-- (docs/recordings.md, docs/database.md "Recordings").

-- never | always | on_demand (the operator starts and stops it during the call)
ALTER TABLE "queues" ADD COLUMN "recording_policy" TEXT NOT NULL DEFAULT 'never';
ALTER TABLE "queues" ADD COLUMN "recording_retention_days" INTEGER NOT NULL DEFAULT 90;
ALTER TABLE "queues" ADD CONSTRAINT "queues_recording_policy_check" CHECK ("recording_policy" IN ('never', 'always', 'on_demand'));
ALTER TABLE "queues" ADD CONSTRAINT "queues_recording_retention_check" CHECK ("recording_retention_days" BETWEEN 1 AND 3650);

-- One row per recorded bridge. The file is named by the ACD's leg ids only (no person's data on
-- disk); this row is what ties it to the call, the queue and the operator.
CREATE TABLE "recordings" (
    "id" TEXT NOT NULL,
    "call_id" TEXT NOT NULL,
    "queue_id" TEXT,
    "operator_id" TEXT,
    "started_at" TIMESTAMP(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "file_name" TEXT NOT NULL,
    -- where the file lives: 'local' (the ACD's recordings directory) today
    "storage" TEXT NOT NULL DEFAULT 'local',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "recordings_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "recordings_storage_check" CHECK ("storage" IN ('local', 's3')),
    CONSTRAINT "recordings_duration_check" CHECK ("duration_ms" >= 0 AND "size_bytes" >= 0),
    CONSTRAINT "recordings_call_id_fkey" FOREIGN KEY ("call_id") REFERENCES "calls"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "recordings_queue_id_fkey" FOREIGN KEY ("queue_id") REFERENCES "queues"("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "recordings_operator_id_fkey" FOREIGN KEY ("operator_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "recordings_file_name_key" ON "recordings"("file_name");
CREATE INDEX "recordings_call_id_idx" ON "recordings"("call_id");
-- the retention job: per queue, oldest first
CREATE INDEX "recordings_queue_id_started_at_idx" ON "recordings"("queue_id", "started_at");
