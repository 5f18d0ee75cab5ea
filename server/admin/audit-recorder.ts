import { MASKED, type AuditEntity } from '../contracts/admin/audit';
import { Prisma } from '../db/generated/client';
import type { Actor, Tx } from './admin-tx';

/**
 * Writes one audit row per admin write, inside the write's own transaction, so a change and
 * its record are committed together or not at all. Secrets are masked before anything is
 * written: a key that names a password, secret, token or hash keeps only "was set / changed".
 */
const SECRET_KEY = /password|secret|token|hash/i;

export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== 'boolean' ? MASKED : maskSecrets(v);
    return out;
  }
  return typeof value === 'bigint' ? value.toString() : value;
}

export interface AuditEntry {
  actor: Actor;
  action: string;
  entity: AuditEntity;
  entityId: string;
  before: object | null;
  after: object | null;
  data?: object;
}

function json(v: object | null | undefined): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return v ? (maskSecrets(v) as Prisma.InputJsonValue) : Prisma.DbNull;
}

export async function recordAudit(tx: Tx, e: AuditEntry): Promise<void> {
  await tx.auditLog.create({
    data: { actorId: e.actor.id, action: e.action, entity: e.entity, entityId: e.entityId, before: json(e.before), after: json(e.after), data: json(e.data) },
  });
}
