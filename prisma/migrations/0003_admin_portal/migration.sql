-- 0003_admin_portal: what the admin portal edits (docs/database.md, "Admin portal").
-- Every object the portal edits carries a version (optimistic concurrency: a save names the
-- version it read; a stale one is refused) and who changed it last, and when.

-- People: deactivation, forced password change, skills with levels.
ALTER TABLE "users" ADD COLUMN "active" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "users" ADD COLUMN "must_change_password" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "users" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "users" ADD COLUMN "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE "users" ADD COLUMN "updated_by" TEXT;

CREATE TABLE "user_skills" (
    "user_id" TEXT NOT NULL,
    "skill" TEXT NOT NULL,
    "level" INTEGER NOT NULL,
    CONSTRAINT "user_skills_pkey" PRIMARY KEY ("user_id", "skill"),
    CONSTRAINT "user_skills_level_check" CHECK ("level" BETWEEN 1 AND 10),
    CONSTRAINT "user_skills_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- The old flat list had no levels (and nothing read it): each becomes a skill at level 1.
INSERT INTO "user_skills" ("user_id", "skill", "level")
  SELECT DISTINCT "id", unnest("skills"), 1 FROM "users";
ALTER TABLE "users" DROP COLUMN "skills";

ALTER TABLE "queue_members" ADD CONSTRAINT "queue_members_level_check" CHECK ("level" BETWEEN 1 AND 10);

-- One-time set-password links: only sha256(token) is stored, like sessions.
CREATE TABLE "password_tokens" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "created_by" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),
    CONSTRAINT "password_tokens_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "password_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "password_tokens_user_id_idx" ON "password_tokens"("user_id");

-- Queues: the settings of the anchors (Connect, Flex, mod_callcenter, queues.conf).
ALTER TABLE "queues" ADD COLUMN "strategy_params" JSONB NOT NULL DEFAULT '{}';
ALTER TABLE "queues" ADD COLUMN "max_wait_action" TEXT NOT NULL DEFAULT 'release';
ALTER TABLE "queues" ADD COLUMN "max_wait_message" TEXT;
ALTER TABLE "queues" ADD COLUMN "overflow_queue_id" TEXT;
ALTER TABLE "queues" ADD COLUMN "overflow_number" TEXT;
ALTER TABLE "queues" ADD COLUMN "sl_target_pct" INTEGER NOT NULL DEFAULT 80;
ALTER TABLE "queues" ADD COLUMN "sl_threshold_sec" INTEGER NOT NULL DEFAULT 20;
ALTER TABLE "queues" ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 5;
ALTER TABLE "queues" ADD COLUMN "required_skills" JSONB NOT NULL DEFAULT '[]';
ALTER TABLE "queues" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "queues" ADD COLUMN "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE "queues" ADD COLUMN "updated_by" TEXT;
ALTER TABLE "queues" ADD CONSTRAINT "queues_overflow_queue_id_fkey" FOREIGN KEY ("overflow_queue_id") REFERENCES "queues"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "queues" ADD CONSTRAINT "queues_max_wait_action_check" CHECK ("max_wait_action" IN ('release', 'overflow_queue', 'overflow_number'));
ALTER TABLE "queues" ADD CONSTRAINT "queues_sl_check" CHECK ("sl_target_pct" BETWEEN 1 AND 100 AND "sl_threshold_sec" BETWEEN 1 AND 3600);
ALTER TABLE "queues" ADD CONSTRAINT "queues_priority_check" CHECK ("priority" BETWEEN 1 AND 10);

-- Numbers
ALTER TABLE "numbers" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "numbers" ADD COLUMN "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE "numbers" ADD COLUMN "updated_by" TEXT;
ALTER TABLE "numbers" ADD CONSTRAINT "numbers_e164_check" CHECK ("e164" ~ '^\+[1-9][0-9]{6,14}$');

-- Not-ready reason codes and wrap-up dispositions: two lists of the same shape.
CREATE TABLE "codes" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "position" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT,
    CONSTRAINT "codes_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "codes_kind_check" CHECK ("kind" IN ('not_ready', 'disposition'))
);
CREATE UNIQUE INDEX "codes_kind_code_key" ON "codes"("kind", "code");

-- Audit: who, when, what, before → after (secrets masked before they are written).
ALTER TABLE "audit_log" ADD COLUMN "entity" TEXT;
ALTER TABLE "audit_log" ADD COLUMN "entity_id" TEXT;
ALTER TABLE "audit_log" ADD COLUMN "before" JSONB;
ALTER TABLE "audit_log" ADD COLUMN "after" JSONB;
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");
CREATE INDEX "audit_log_entity_idx" ON "audit_log"("entity", "entity_id");

-- The change notification: one row whose version every configuration write bumps in the same
-- transaction (a poller compares it; LISTEN "patchbay_config" hears it at once).
CREATE TABLE "config_version" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "version" BIGINT NOT NULL DEFAULT 0,
    "changed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "config_version_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "config_version_single_row" CHECK ("id" = 1)
);
INSERT INTO "config_version" ("id", "version") VALUES (1, 0);
