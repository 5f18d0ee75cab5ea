import { HISTORY_FILTER_KEYS } from '@/server/contracts/admin/call-history';

/**
 * The history page's URL → the API's query. The URL keeps what a supervisor typed (days as
 * YYYY-MM-DD, read in the browser's time zone, "to" inclusive); the API wants instants, so a day
 * becomes its local midnight with the offset, and "to" the next day's midnight (exclusive).
 * Everything else passes as it is: the API's zod schema (server/contracts/admin/call-history.ts)
 * is the one judge, and its field messages come back to the filter bar.
 */
export function historyApiFilters(filters: Record<string, string>): URLSearchParams {
  const p = new URLSearchParams();
  for (const k of HISTORY_FILTER_KEYS) {
    const v = filters[k];
    if (!v) continue;
    if (k === 'from' || k === 'to') {
      const at = localMidnight(v, k === 'to' ? 1 : 0);
      p.set(k, at ?? v);
    } else p.set(k, v);
  }
  return p;
}

/** "2026-11-30" → that day's (+ `plusDays`) midnight in the browser's zone, as ISO with its offset; null if not a day. */
export function localMidnight(day: string, plusDays = 0): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays);
  if (Number.isNaN(d.getTime())) return null;
  const off = -d.getTimezoneOffset();
  const a = Math.abs(off);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T00:00:00${off < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** The browser's time zone for the export's times (UTC when it cannot tell). */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}
