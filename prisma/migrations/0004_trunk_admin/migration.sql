-- 0004_trunk_admin: trunks are edited in the admin portal (docs/trunks.md). Like every object the
-- portal edits, a trunk carries a version (optimistic concurrency) and who changed it last, and when.
ALTER TABLE "trunks" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "trunks" ADD COLUMN "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE "trunks" ADD COLUMN "updated_by" TEXT;
