-- 0006_audio_library: prompts and hold music the admin uploads or synthesises (docs/database.md,
-- "Audio library"). The audio itself is stored in the row, as the one format the ACD plays:
-- a WAV of 8 kHz mono 16-bit PCM (at most 10 minutes: 9.6 MB). In the database, not in a data
-- directory, so every ACD node reads the same clips and a backup of the database is whole.
CREATE TABLE "audio_clips" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    -- the synthesised sentence, or the uploaded file's name
    "text" TEXT,
    "voice" TEXT,
    "duration_ms" INTEGER NOT NULL,
    "bytes" INTEGER NOT NULL,
    "wav" BYTEA NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT,
    CONSTRAINT "audio_clips_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "audio_clips_kind_check" CHECK ("kind" IN ('prompt', 'music')),
    CONSTRAINT "audio_clips_source_check" CHECK ("source" IN ('upload', 'tts')),
    CONSTRAINT "audio_clips_name_check" CHECK ("name" ~ '^[a-z0-9][a-z0-9_-]{0,63}$' AND "name" <> 'default'),
    CONSTRAINT "audio_clips_duration_check" CHECK ("duration_ms" BETWEEN 1 AND 600000)
);
CREATE UNIQUE INDEX "audio_clips_name_key" ON "audio_clips"("name");
