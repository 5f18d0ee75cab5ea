-- 0017_press_one: press-1 accept (docs/cti.md, "Press 1 to take the call").
-- When a member's device is a mobile (press1_mobile, on by default: a mobile's voicemail answers)
-- or a SIP phone (press1_sip_phone, off by default: a desk phone has no voicemail of its own), the
-- device that answers an offer hears "Press 1 to take this call from <queue>" and is bridged to the
-- caller only on the digit 1; no key within press1_timeout_sec, or another key, is a missed offer.
-- press1_clip: the audio library clip that says the sentence with this queue's name, synthesised
-- when the queue is saved (NULL until then, or if synthesis failed: the built-in say-press1 plays).
ALTER TABLE "queues" ADD COLUMN "press1_mobile" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "queues" ADD COLUMN "press1_sip_phone" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "queues" ADD COLUMN "press1_timeout_sec" INTEGER NOT NULL DEFAULT 10;
ALTER TABLE "queues" ADD CONSTRAINT "queues_press1_timeout_sec_check" CHECK ("press1_timeout_sec" BETWEEN 3 AND 60);
ALTER TABLE "queues" ADD COLUMN "press1_clip" TEXT;
-- the queue's sentence is an audio_clips row of its own source: made and dropped with the queue,
-- never listed or picked in the library
ALTER TABLE "audio_clips" DROP CONSTRAINT "audio_clips_source_check";
ALTER TABLE "audio_clips" ADD CONSTRAINT "audio_clips_source_check" CHECK ("source" IN ('upload', 'tts', 'queue'));
