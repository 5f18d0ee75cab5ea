import { randomBytes } from 'node:crypto';
import type { CodeCreate, CodeKind, CodeRow, CodeUpdate } from '../contracts/admin/codes';
import { AppError } from '../contracts/result';
import type { Code } from '../db/generated/client';
import type { Actor, PrismaClient, Tx } from './admin-tx';
import { AdminWriter, editorNames } from './admin-writer';
import { expectUpdated } from './optimistic-lock';

/**
 * Not-ready reasons and wrap-up dispositions (the console uses them in a later issue). Short
 * lists: no paging. A code is never deleted, only deactivated, so stored history keeps meaning.
 */
const snapshot = (c: Pick<Code, 'kind' | 'code' | 'label' | 'active' | 'position'>) => ({ kind: c.kind, code: c.code, label: c.label, active: c.active, position: c.position });

export class CodesService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly writer: AdminWriter,
  ) {}

  async list(kind: CodeKind): Promise<CodeRow[]> {
    const rows = await this.prisma.code.findMany({ where: { kind }, orderBy: [{ position: 'asc' }, { code: 'asc' }] });
    const names = await editorNames(this.prisma, rows.map((r) => r.updatedBy));
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind as CodeKind,
      code: r.code,
      label: r.label,
      active: r.active,
      position: r.position,
      version: r.version,
      updatedAt: r.updatedAt.getTime(),
      updatedByName: r.updatedBy ? (names.get(r.updatedBy) ?? null) : null,
    }));
  }

  async create(actor: Actor, kind: CodeKind, input: CodeCreate): Promise<CodeRow[]> {
    const id = `c-${randomBytes(6).toString('hex')}`;
    await this.writer.write(actor, async (tx) => {
      await assertCodeFree(tx, kind, input.code, null);
      await tx.code.create({ data: { id, kind, ...input, updatedBy: actor.id } });
      return { result: null, audit: { action: 'code.create', entity: 'code', entityId: id, before: null, after: snapshot({ kind, ...input }) }, change: 'create' };
    });
    return this.list(kind);
  }

  async update(actor: Actor, kind: CodeKind, id: string, input: CodeUpdate): Promise<CodeRow[]> {
    const { version, ...values } = input;
    await this.writer.write(actor, async (tx) => {
      const before = await tx.code.findFirst({ where: { id, kind } });
      if (!before) throw new AppError('NOT_FOUND', 'no such code');
      await assertCodeFree(tx, kind, values.code, id);
      const r = await tx.code.updateMany({ where: { id, kind, version }, data: { ...values, version: { increment: 1 }, updatedAt: new Date(), updatedBy: actor.id } });
      await expectUpdated(tx, r.count, () => tx.code.findUnique({ where: { id } }), 'code');
      return { result: null, audit: { action: 'code.update', entity: 'code', entityId: id, before: snapshot(before), after: snapshot({ kind, ...values }) }, change: 'update' };
    });
    return this.list(kind);
  }
}

async function assertCodeFree(tx: Tx, kind: CodeKind, code: string, exceptId: string | null): Promise<void> {
  const other = await tx.code.findUnique({ where: { kind_code: { kind, code } }, select: { id: true } });
  if (other && other.id !== exceptId) throw new AppError('CONFLICT', 'this code is already in the list', { code: 'this code is already in the list' });
}
