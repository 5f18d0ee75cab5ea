import { randomBytes } from 'node:crypto';
import type { DialPrefixCreate, DialPrefixRow } from '../contracts/admin/dialing';
import { AppError } from '../contracts/result';
import type { Actor, PrismaClient } from './admin-tx';
import { AdminWriter, editorNames } from './admin-writer';

/**
 * The allowed dialling prefixes (operators' outbound calls). A short list: no paging, no
 * versions — a prefix is added or removed, never edited. Each write is audited and announced.
 */
export class DialingService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly writer: AdminWriter,
  ) {}

  async list(): Promise<DialPrefixRow[]> {
    const rows = await this.prisma.dialPrefix.findMany({ orderBy: { prefix: 'asc' } });
    const names = await editorNames(this.prisma, rows.map((r) => r.updatedBy));
    return rows.map((r) => ({ id: r.id, prefix: r.prefix, label: r.label, updatedAt: r.updatedAt.getTime(), updatedByName: r.updatedBy ? (names.get(r.updatedBy) ?? null) : null }));
  }

  async create(actor: Actor, input: DialPrefixCreate): Promise<DialPrefixRow[]> {
    const id = `dp-${randomBytes(6).toString('hex')}`;
    await this.writer.write(actor, async (tx) => {
      const other = await tx.dialPrefix.findUnique({ where: { prefix: input.prefix }, select: { id: true } });
      if (other) throw new AppError('CONFLICT', 'this prefix is already in the list', { prefix: 'this prefix is already in the list' });
      await tx.dialPrefix.create({ data: { id, ...input, updatedBy: actor.id } });
      return { result: null, audit: { action: 'dial_prefix.create', entity: 'dial_prefix', entityId: id, before: null, after: { ...input } }, change: 'create' };
    });
    return this.list();
  }

  async remove(actor: Actor, id: string): Promise<DialPrefixRow[]> {
    await this.writer.write(actor, async (tx) => {
      const before = await tx.dialPrefix.findUnique({ where: { id } });
      if (!before) throw new AppError('NOT_FOUND', 'no such prefix');
      await tx.dialPrefix.delete({ where: { id } });
      return { result: null, audit: { action: 'dial_prefix.delete', entity: 'dial_prefix', entityId: id, before: { prefix: before.prefix, label: before.label }, after: null }, change: 'delete' };
    });
    return this.list();
  }
}
