-- 0018_callback_settings: a queue's own rules for queued callbacks (docs/cti.md, "Queued callback").
-- callback_tries: tries (the caller's number and the operator's device both count) before the callback is given up.
-- callback_retry_sec: seconds between tries.
-- callback_expiry_min: minutes after the request after which a callback not yet made is given up
-- (at most 120: the ACD's callback window, CALLBACK_WINDOW_SEC, defaults to two hours).
ALTER TABLE "queues" ADD COLUMN "callback_tries" INTEGER NOT NULL DEFAULT 3;
ALTER TABLE "queues" ADD COLUMN "callback_retry_sec" INTEGER NOT NULL DEFAULT 60;
ALTER TABLE "queues" ADD COLUMN "callback_expiry_min" INTEGER NOT NULL DEFAULT 60;
ALTER TABLE "queues" ADD CONSTRAINT "queues_callback_tries_check" CHECK ("callback_tries" BETWEEN 1 AND 10);
ALTER TABLE "queues" ADD CONSTRAINT "queues_callback_retry_sec_check" CHECK ("callback_retry_sec" BETWEEN 30 AND 3600);
ALTER TABLE "queues" ADD CONSTRAINT "queues_callback_expiry_min_check" CHECK ("callback_expiry_min" BETWEEN 5 AND 120);
