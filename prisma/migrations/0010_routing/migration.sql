-- 0010_routing: a call's own priority, set per number (docs/cti.md, Routing: priorities and
-- ageing). 0 = normal; a higher one jumps ahead of earlier callers in the queue, within the
-- ageing rule, so nobody starves.
ALTER TABLE "numbers" ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "numbers" ADD CONSTRAINT "numbers_priority_check" CHECK ("priority" BETWEEN 0 AND 9);
