-- 0024_overload_message: what a queue's callers hear when the center is past its capacity
-- (docs/metrics.md, "Overload"). busy_audio: a clip name from the audio library, played once by
-- the ACD before it releases the caller (never offered to the CTI); NULL = no message, the caller
-- gets 503 + Retry-After, which a carrier turns into its busy tone or another route.
ALTER TABLE "queues" ADD COLUMN "busy_audio" TEXT;
