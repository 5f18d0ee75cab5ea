import { minutesOf, type Holiday, type Hours, type WeeklyInterval } from '../../contracts/admin/schedules';

/**
 * Open or closed, at an instant, by a schedule's wall clock (pure: no IO, no clock of its own).
 *
 * The rule reads the instant's *local* date, weekday and minute in the schedule's IANA zone
 * (through `Intl.DateTimeFormat`, which carries the tz database: no library needed, because we
 * only ever go instant → wall clock, never wall clock → instant) and asks whether that minute
 * lies in one of the day's intervals — the holiday's hours if a holiday covers the date, else
 * the weekday's. Intervals are half-open [start, end).
 *
 * DST follows from reading the wall clock: on the spring-forward day the skipped hour never
 * occurs, so 01:00–03:00 is open one real hour; on the fall-back day the repeated hour occurs
 * twice and is open both times. A zone the runtime does not know is refused when saved; if one
 * reaches here anyway it throws (the caller decides; the CTI treats it as open).
 */
export interface ScheduleRule {
  timeZone: string;
  weekly: WeeklyInterval[];
  holidays: Holiday[];
}

export interface WallClock {
  /** YYYY-MM-DD */
  date: string;
  /** 0 = Monday … 6 = Sunday */
  weekday: number;
  /** minutes since local midnight, 0–1439 */
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY_INDEX: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // one formatter per zone, kept: constructing one costs far more than formatting with it
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock of `instant` (ms since epoch) in `timeZone`. */
export function wallClock(timeZone: string, instant: number): WallClock {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) parts[p.type] = p.value;
  const hour = Number(parts.hour) % 24;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: WEEKDAY_INDEX[parts.weekday ?? ''] ?? 0,
    minute: hour * 60 + Number(parts.minute),
  };
}

function within(hours: readonly Hours[], minute: number): boolean {
  return hours.some((h) => minutesOf(h.start) <= minute && minute < minutesOf(h.end));
}

/** The holiday covering a local date, if any. */
export function holidayOn(holidays: readonly Holiday[], date: string): Holiday | undefined {
  return holidays.find((h) => h.from <= date && date <= h.to);
}

export function isOpen(schedule: ScheduleRule, instant: number): boolean {
  const at = wallClock(schedule.timeZone, instant);
  const holiday = holidayOn(schedule.holidays, at.date);
  if (holiday) return within(holiday.hours, at.minute);
  return within(
    schedule.weekly.filter((w) => w.day === at.weekday),
    at.minute,
  );
}
