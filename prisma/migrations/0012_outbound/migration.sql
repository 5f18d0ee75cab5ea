-- 0012_outbound: operators' outbound calls (issue 8 item 6; docs/database.md, docs/trunks.md "Outbound calls").

-- Which way a call went: 'inbound' (a caller reached the center) or 'outbound' (an operator dialled).
ALTER TABLE "calls" ADD COLUMN "direction" TEXT NOT NULL DEFAULT 'inbound';

-- The numbers operators may dial: an E.164 prefix each ("+44", "+1555"); none = no outbound calls.
-- The toll-fraud guard: anything not under a listed prefix is refused before the bank sends a byte.
CREATE TABLE "dial_prefixes" (
    "id" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT,
    CONSTRAINT "dial_prefixes_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "dial_prefixes_prefix_key" ON "dial_prefixes"("prefix");
