/**
 * Calendar days in the site's reporting time zone (`REPORT_TIME_ZONE`, an IANA name; UTC by
 * default). "Today" on the wallboard is the day of the site's clock; a call belongs to the day it
 * arrived, so a call that arrives at 23:59 and ends at 00:03 counts on the day it arrived. Pure
 * (Intl only): daylight-saving days are 23 or 25 hours long and handled by asking Intl for the
 * offset at the instant.
 */

const formats = new Map<string, Intl.DateTimeFormat>();
function format(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (!f) formats.set(tz, (f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })));
  return f;
}

function wall(ms: number, tz: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const p: Record<string, number> = {};
  for (const part of format(tz).formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year!, m: p.month!, d: p.day!, h: p.hour!, mi: p.minute!, s: p.second! };
}

/** 'YYYY-MM-DD' of the instant on the zone's calendar. */
export function dayOf(ms: number, tz: string): string {
  const w = wall(ms, tz);
  return `${w.y}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

/** ms the zone's wall clock is ahead of UTC at the instant (whole seconds). */
function offsetAt(ms: number, tz: string): number {
  const w = wall(ms, tz);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000;
}

/** The first instant of the day 'YYYY-MM-DD' in the zone. */
export function dayStart(day: string, tz: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  // two passes: the offset at local midnight can differ from the one at UTC midnight (DST)
  let start = guess - offsetAt(guess, tz);
  start = guess - offsetAt(start, tz);
  return start;
}

/** The day after 'YYYY-MM-DD' (calendar arithmetic, no zone). */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** [start, end) of the days `from`..`to` inclusive in the zone. */
export function daysRange(from: string, to: string, tz: string): { start: number; end: number } {
  return { start: dayStart(from, tz), end: dayStart(nextDay(to), tz) };
}

/** Whether the name is a time zone Intl knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
