import { writeWav8kMono16 } from '../acd/media/wav';
import type { PrismaClient } from '../db/generated/client';

/**
 * Puts a short clip in the audio library's table, for tests that name a clip in a queue or a
 * number (the portal accepts only library clips there). 20 ms of a flat tone: what it sounds
 * like does not matter to these tests; the ones about sound upload real audio.
 */
export async function addLibraryClip(prisma: PrismaClient, name: string, kind: 'music' | 'prompt' = 'prompt'): Promise<void> {
  const wav = writeWav8kMono16(new Int16Array(160).fill(1000));
  await prisma.audioClip.create({ data: { id: `a-${name}`, name, kind, source: 'upload', durationMs: 20, bytes: wav.length, wav: new Uint8Array(wav) } });
}
