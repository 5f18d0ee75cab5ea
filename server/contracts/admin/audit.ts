import { z } from 'zod';

/** The audit trail: who changed what, when, from what to what (secrets masked at write). */
export const AuditEntity = z.enum(['person', 'queue', 'number', 'trunk', 'code', 'schedule', 'audio', 'recording', 'dial_prefix']);
export type AuditEntity = z.infer<typeof AuditEntity>;

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

export const AuditQuery = z
  .object({
    entity: AuditEntity.optional(),
    entityId: z.string().max(64).optional(),
    actor: z.string().trim().max(100).optional(),
    action: z.string().trim().max(60).optional(),
    from: Day.optional(),
    to: Day.optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(25),
  })
  .strict();
export type AuditQuery = z.infer<typeof AuditQuery>;

export interface AuditRow {
  id: string;
  at: number;
  actorId: string | null;
  actorName: string | null;
  action: string;
  entity: string | null;
  entityId: string | null;
  before: unknown;
  after: unknown;
  data: unknown;
}

/** What a masked secret looks like in before/after. */
export const MASKED = '••••••';
