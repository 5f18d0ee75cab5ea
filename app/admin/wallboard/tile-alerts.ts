import type { QueueTile } from '@/server/contracts/wallboard';

/**
 * Why a queue's tile is red now, in plain words (empty: it is not). The longest wait ticks in the
 * browser from `oldestWaitingSince`, so a wait alert fires on time even when nothing else happens.
 */
export function tileAlerts(t: QueueTile, now: number): string[] {
  const out: string[] = [];
  const longestSec = t.oldestWaitingSince !== null ? Math.floor((now - t.oldestWaitingSince) / 1000) : 0;
  if (t.alerts.maxWaitSec !== null && t.waiting > 0 && longestSec > t.alerts.maxWaitSec) out.push(`A caller has waited over ${t.alerts.maxWaitSec} s`);
  if (t.alerts.noReady && t.waiting > 0 && t.staffing.ready === 0) out.push('Callers waiting and nobody is Ready');
  return out;
}
