import type { PrismaClient } from '../db/generated/client';
import type { ClipSource } from './media/clip-library';

/**
 * The audio library as the ACD's clip source: the portal's `audio_clips` table, read through
 * Prisma. A clip's stamp is its id and version — the audio of a row never changes, but a
 * rename gives the name a new stamp, and a delete and re-upload under the same name a new id.
 */
export class DatabaseClipSource implements ClipSource {
  constructor(private readonly prisma: PrismaClient) {}

  async list(): Promise<Array<{ name: string; stamp: string }>> {
    const rows = await this.prisma.audioClip.findMany({ select: { id: true, name: true, version: true } });
    return rows.map((r) => ({ name: r.name, stamp: `${r.id}:${r.version}` }));
  }

  async wav(name: string): Promise<Buffer | null> {
    const r = await this.prisma.audioClip.findUnique({ where: { name }, select: { wav: true } });
    return r ? Buffer.from(r.wav) : null;
  }
}
