import { AppError } from '../contracts/result';
import type { Tx } from './admin-tx';

/**
 * Optimistic concurrency: each editable row has a `version`; a save names the version it was
 * based on, and the update is conditional on it (`WHERE id = … AND version = …`). A second
 * admin saving a stale copy updates nothing and is told who changed it and when.
 */
export async function staleError(tx: Tx, row: { updatedBy: string | null; updatedAt: Date; version: number } | null, what: string): Promise<AppError> {
  if (!row) return new AppError('NOT_FOUND', `no such ${what}`);
  const by = row.updatedBy ? await tx.user.findUnique({ where: { id: row.updatedBy }, select: { name: true } }) : null;
  return new AppError('CONFLICT', `this ${what} was changed by ${by?.name ?? 'someone else'} at ${formatStamp(row.updatedAt)}; reload it to see their change, then edit again`, {
    version: `changed by ${by?.name ?? 'someone else'} at ${formatStamp(row.updatedAt)}`,
  });
}

/** "2026-12-01 08:10:03 UTC": unambiguous across the admins' time zones. */
export function formatStamp(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Throws the stale error unless `count` says the conditional update hit the row. */
export async function expectUpdated(tx: Tx, count: number, load: () => Promise<{ updatedBy: string | null; updatedAt: Date; version: number } | null>, what: string): Promise<void> {
  if (count === 1) return;
  throw await staleError(tx, await load(), what);
}
