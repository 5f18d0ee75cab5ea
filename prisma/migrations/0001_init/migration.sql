-- 0001_init: users, sessions, queues, numbers, calls and their timelines, agent state log, audit.
CREATE TYPE "Role" AS ENUM ('ADMIN', 'SUPERVISOR', 'OPERATOR');

CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "password_hash" TEXT NOT NULL,
    "skills" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

CREATE TABLE "sessions" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "sessions_user_id_idx" ON "sessions"("user_id");

CREATE TABLE "queues" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "strategy" TEXT NOT NULL DEFAULT 'longest-idle',
    "ring_timeout_sec" INTEGER NOT NULL DEFAULT 20,
    "wrap_up_sec" INTEGER NOT NULL DEFAULT 5,
    "max_wait_sec" INTEGER NOT NULL DEFAULT 600,
    "hold_audio" TEXT NOT NULL DEFAULT 'default',
    CONSTRAINT "queues_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "queues_name_key" ON "queues"("name");

CREATE TABLE "queue_members" (
    "queue_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "level" INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT "queue_members_pkey" PRIMARY KEY ("queue_id", "user_id"),
    CONSTRAINT "queue_members_queue_id_fkey" FOREIGN KEY ("queue_id") REFERENCES "queues"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "queue_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE "numbers" (
    "e164" TEXT NOT NULL,
    "queue_id" TEXT NOT NULL,
    "hold_audio" TEXT NOT NULL DEFAULT 'default',
    CONSTRAINT "numbers_pkey" PRIMARY KEY ("e164"),
    CONSTRAINT "numbers_queue_id_fkey" FOREIGN KEY ("queue_id") REFERENCES "queues"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

CREATE TABLE "calls" (
    "id" TEXT NOT NULL,
    "acd_leg_id" TEXT NOT NULL,
    "dialed" TEXT NOT NULL,
    "caller_id" TEXT NOT NULL,
    "queue_id" TEXT,
    "operator_id" TEXT,
    "arrived_at" TIMESTAMP(3) NOT NULL,
    "offered_at" TIMESTAMP(3),
    "answered_at" TIMESTAMP(3),
    "ended_at" TIMESTAMP(3),
    "ended_by" TEXT,
    "outcome" TEXT,
    CONSTRAINT "calls_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "calls_queue_id_fkey" FOREIGN KEY ("queue_id") REFERENCES "queues"("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "calls_operator_id_fkey" FOREIGN KEY ("operator_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE INDEX "calls_arrived_at_idx" ON "calls"("arrived_at");

CREATE TABLE "call_events" (
    "id" BIGSERIAL NOT NULL,
    "call_id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "data" JSONB,
    CONSTRAINT "call_events_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "call_events_call_id_fkey" FOREIGN KEY ("call_id") REFERENCES "calls"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "call_events_call_id_seq_idx" ON "call_events"("call_id", "seq");

CREATE TABLE "agent_state_log" (
    "id" BIGSERIAL NOT NULL,
    "user_id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "from" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    CONSTRAINT "agent_state_log_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "agent_state_log_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "agent_state_log_user_id_at_idx" ON "agent_state_log"("user_id", "at");

CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_id" TEXT,
    "action" TEXT NOT NULL,
    "data" JSONB,
    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);
