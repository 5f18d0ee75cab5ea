import type { AuditQuery, AuditRow } from '../contracts/admin/audit';
import type { Page } from '../contracts/admin/paging';
import type { Prisma } from '../db/generated/client';
import type { PrismaClient } from './admin-tx';
import { editorNames } from './admin-writer';

/** The audit page's reads: newest first, filtered by entity, actor (name or e-mail), action and day (UTC). */
export class AuditQueryService {
  constructor(private readonly prisma: PrismaClient) {}

  async list(q: AuditQuery): Promise<Page<AuditRow>> {
    let actorIds: string[] | undefined;
    if (q.actor) {
      const people = await this.prisma.user.findMany({
        where: { OR: [{ name: { contains: q.actor, mode: 'insensitive' } }, { email: { contains: q.actor, mode: 'insensitive' } }] },
        select: { id: true },
      });
      actorIds = people.map((p) => p.id);
    }
    const at: Prisma.DateTimeFilter = {};
    if (q.from) at.gte = new Date(`${q.from}T00:00:00Z`);
    if (q.to) at.lt = new Date(new Date(`${q.to}T00:00:00Z`).getTime() + 86_400_000);
    const where: Prisma.AuditLogWhereInput = {
      ...(q.entity ? { entity: q.entity } : {}),
      ...(q.entityId ? { entityId: q.entityId } : {}),
      ...(actorIds ? { actorId: { in: actorIds } } : {}),
      ...(q.action ? { action: { contains: q.action, mode: 'insensitive' } } : {}),
      ...(q.from || q.to ? { at } : {}),
    };
    const [total, rows] = await Promise.all([
      this.prisma.auditLog.count({ where }),
      this.prisma.auditLog.findMany({ where, orderBy: [{ at: 'desc' }, { id: 'desc' }], skip: (q.page - 1) * q.pageSize, take: q.pageSize }),
    ]);
    const names = await editorNames(this.prisma, rows.map((r) => r.actorId));
    return {
      rows: rows.map((r) => ({
        id: r.id.toString(),
        at: r.at.getTime(),
        actorId: r.actorId,
        actorName: r.actorId ? (names.get(r.actorId) ?? null) : null,
        action: r.action,
        entity: r.entity,
        entityId: r.entityId,
        before: r.before ?? null,
        after: r.after ?? null,
        data: r.data ?? null,
      })),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }
}
