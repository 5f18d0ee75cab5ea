-- 0002_trunks: carrier trunks, the DIDs each delivers, and operators' own mobile numbers.
CREATE TYPE "TrunkTransport" AS ENUM ('udp', 'tcp', 'tls');
CREATE TYPE "CallerIdMode" AS ENUM ('fixed', 'pass');

CREATE TABLE "trunks" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 5060,
    "transport" "TrunkTransport" NOT NULL DEFAULT 'udp',
    "username" TEXT,
    -- digest password as given, or `enc:v1:<base64>` (AES-256-GCM under a key from PATCHBAY_SECRET)
    "password" TEXT,
    "realm" TEXT,
    "register" BOOLEAN NOT NULL DEFAULT false,
    "register_expiry_sec" INTEGER NOT NULL DEFAULT 600,
    "inbound_sources" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "inbound_digest" BOOLEAN NOT NULL DEFAULT false,
    "outbound" BOOLEAN NOT NULL DEFAULT true,
    "caller_id_mode" "CallerIdMode" NOT NULL DEFAULT 'fixed',
    "caller_id_e164" TEXT,
    "assert_identity" BOOLEAN NOT NULL DEFAULT true,
    "privacy" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "trunks_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "trunks_port_check" CHECK ("port" BETWEEN 1 AND 65535),
    CONSTRAINT "trunks_expiry_check" CHECK ("register_expiry_sec" BETWEEN 60 AND 86400)
);
CREATE UNIQUE INDEX "trunks_name_key" ON "trunks"("name");

ALTER TABLE "numbers" ADD COLUMN "trunk_id" TEXT;
ALTER TABLE "numbers" ADD CONSTRAINT "numbers_trunk_id_fkey" FOREIGN KEY ("trunk_id") REFERENCES "trunks"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "numbers_trunk_id_idx" ON "numbers"("trunk_id");

ALTER TABLE "users" ADD COLUMN "mobile_e164" TEXT;
ALTER TABLE "users" ADD COLUMN "mobile_verified_at" TIMESTAMP(3);
