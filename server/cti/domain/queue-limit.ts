/**
 * The queue-size limit (docs/cti.md, "Queue size limit"): a queue may keep at most `maxCallers`
 * callers waiting — queued, or ringing an operator (not yet answered). The caller arriving is not
 * one of them yet. Decided from the routing cache's queue and the call book's live count: no
 * database read on the way from arrival to offer.
 */
export type Admission = { admit: true } | { admit: false; waiting: number; maxCallers: number };

/** Whether a caller may join a queue that has `waiting` callers already (null limit: always). */
export function admission(maxCallers: number | null, waiting: number): Admission {
  if (maxCallers === null || waiting < maxCallers) return { admit: true };
  return { admit: false, waiting, maxCallers };
}
