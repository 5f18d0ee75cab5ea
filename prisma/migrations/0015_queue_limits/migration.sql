-- 0015_queue_limits: what a queue does with callers beyond its size and while they wait
-- (docs/cti.md, "Queue size limit" and "Position and wait announcements").
-- max_callers: at most this many callers waiting (queued or ringing an operator); NULL = no limit.
-- A caller arriving at a full queue gets the queue's overflow action (max_wait_action: another
-- queue, a number, or a message and release) with full_audio as the message of a release.
ALTER TABLE "queues" ADD COLUMN "max_callers" INTEGER;
ALTER TABLE "queues" ADD CONSTRAINT "queues_max_callers_check" CHECK ("max_callers" BETWEEN 1 AND 10000);
ALTER TABLE "queues" ADD COLUMN "full_audio" TEXT;
-- announce: none | position | wait | both; every announce_every_sec seconds while waiting, and on arrival
ALTER TABLE "queues" ADD COLUMN "announce" TEXT NOT NULL DEFAULT 'none';
ALTER TABLE "queues" ADD CONSTRAINT "queues_announce_check" CHECK ("announce" IN ('none', 'position', 'wait', 'both'));
ALTER TABLE "queues" ADD COLUMN "announce_every_sec" INTEGER NOT NULL DEFAULT 45;
ALTER TABLE "queues" ADD CONSTRAINT "queues_announce_every_sec_check" CHECK ("announce_every_sec" BETWEEN 15 AND 600);
-- callback_digit: the key a waiting caller presses to be called back, keeping their place (NULL: no callback)
ALTER TABLE "queues" ADD COLUMN "callback_digit" TEXT;
ALTER TABLE "queues" ADD CONSTRAINT "queues_callback_digit_check" CHECK ("callback_digit" IN ('1', '2', '3', '4', '5', '6', '7', '8', '9'));
