import { Prisma } from '../db/generated/client';
import { AppError } from '../contracts/result';
import type { Actor, PrismaClient, Tx } from './admin-tx';
import { recordAudit, type AuditEntry } from './audit-recorder';
import type { ChangePublisher, ConfigChange } from './change-publisher';

/**
 * The one way an admin write reaches the database: the change, its audit row and the
 * configuration version bump in one transaction; subscribers are told after the commit.
 * A write cannot forget its audit row or its notification, because it has to return them.
 */
export interface WriteOutcome<T> {
  result: T;
  audit: Omit<AuditEntry, 'actor'>;
  change: ConfigChange['action'];
}

export class AdminWriter {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly publisher: ChangePublisher,
  ) {}

  async write<T>(actor: Actor, fn: (tx: Tx) => Promise<WriteOutcome<T>>): Promise<T> {
    let change: ConfigChange | null = null;
    let result: T;
    try {
      result = await this.prisma.$transaction(async (tx) => {
        const out = await fn(tx);
        await recordAudit(tx, { ...out.audit, actor });
        change = await this.publisher.bump(tx, { entity: out.audit.entity, id: out.audit.entityId, action: out.change });
        return out.result;
      });
    } catch (err) {
      throw uniqueViolation(err) ?? err;
    }
    if (change) this.publisher.published(change);
    return result;
  }
}

/** A unique index refused the row (a race past the service's own check): a field message, not a 500. */
function uniqueViolation(err: unknown): AppError | null {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError) || err.code !== 'P2002') return null;
  const target = JSON.stringify(err.meta ?? {});
  const field = /email/.test(target) ? 'email' : /e164/.test(target) ? 'e164' : /name/.test(target) ? 'name' : /code/.test(target) ? 'code' : '_';
  return new AppError('CONFLICT', 'this is already taken', { [field]: 'this is already taken' });
}

/** Names of the people who last changed some rows (no foreign key: a removed editor shows as null). */
export async function editorNames(prisma: PrismaClient | Tx, ids: Array<string | null>): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (wanted.length === 0) return new Map();
  const rows = await prisma.user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
  return new Map(rows.map((r) => [r.id, r.name]));
}
