import { z } from 'zod';
import { RowId, Version, listQuery, type ChangeStamp } from './paging';

/**
 * Business-hours schedules: an IANA time zone, weekly opening intervals (several a day) and
 * holidays (a date or a date range, closed or with special hours). Shared by the editor and the
 * API; the CTI decides open/closed with `isOpen()` (server/cti/domain/business-hours.ts).
 *
 * Times are wall-clock times in the schedule's zone, `HH:MM`, with `24:00` for the end of the
 * day. An interval never crosses midnight: a night shift is two intervals (22:00–24:00 and
 * 00:00–06:00 the next day), so each day reads on its own and DST cannot make one ambiguous.
 */

/** 0 = Monday … 6 = Sunday (ISO order: the week starts on Monday). */
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
export const Weekday = z.number({ error: 'a weekday' }).int().min(0, 'a weekday').max(6, 'a weekday');

export const Clock = z
  .string({ error: 'a time as HH:MM' })
  .trim()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time as HH:MM, e.g. 09:30 (24:00 ends the day)');

/** Minutes since midnight of an `HH:MM` (24:00 → 1440). */
export function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

export const Hours = z.object({ start: Clock, end: Clock }).strict();
export type Hours = z.infer<typeof Hours>;
export const WeeklyInterval = Hours.extend({ day: Weekday }).strict();
export type WeeklyInterval = z.infer<typeof WeeklyInterval>;

/** A calendar date `YYYY-MM-DD` that exists (no 31 February). */
export const CalendarDate = z
  .string({ error: 'a date as YYYY-MM-DD' })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'no such date');

export const Holiday = z
  .object({
    name: z.string({ error: 'name the day' }).trim().min(1, 'name the day, e.g. Christmas').max(60, 'at most 60 characters'),
    from: CalendarDate,
    to: CalendarDate,
    /** empty: closed all day; otherwise these hours replace the weekly ones on those dates */
    hours: z.array(Hours).max(8, 'at most 8 intervals a day'),
  })
  .strict();
export type Holiday = z.infer<typeof Holiday>;

/** An IANA zone the runtime knows (`Europe/London`, `America/New_York`, `UTC`). */
export function isKnownTimeZone(tz: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+/-]{0,63}$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The zones offered by the editor's picker: the runtime's list, with UTC. */
export function timeZoneChoices(): string[] {
  const list = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return list.includes('UTC') ? list : ['UTC', ...list];
}

export const TimeZone = z
  .string({ error: 'choose a time zone' })
  .trim()
  .min(1, 'choose a time zone')
  .refine(isKnownTimeZone, 'unknown time zone: choose one from the list, e.g. Europe/London');

const fmt = (h: Hours) => `${h.start}–${h.end}`;

/** Each interval ends after it starts, and none overlaps another of the same list (touching is fine). */
function intervalRules(list: Array<Hours & { day?: number }>, path: Array<string | number>, ctx: z.RefinementCtx, label: (h: Hours & { day?: number }) => string): void {
  list.forEach((h, i) => {
    if (minutesOf(h.end) <= minutesOf(h.start)) {
      ctx.addIssue({ code: 'custom', path: [...path, i, 'end'], message: `ends before it starts (${fmt(h)}); split a night shift at midnight` });
    }
  });
  const sound = (h: Hours) => minutesOf(h.start) < minutesOf(h.end);
  list.forEach((h, i) => {
    if (!sound(h)) return; // already told: it ends before it starts
    const clash = list.findIndex((o, j) => j < i && sound(o) && o.day === h.day && minutesOf(o.start) < minutesOf(h.end) && minutesOf(h.start) < minutesOf(o.end));
    if (clash >= 0) ctx.addIssue({ code: 'custom', path: [...path, i, 'start'], message: `overlaps ${fmt(list[clash]!)}${label(h)}` });
  });
}

export function scheduleRules(v: { weekly: WeeklyInterval[]; holidays: Holiday[] }, ctx: z.RefinementCtx): void {
  intervalRules(v.weekly, ['weekly'], ctx, (h) => ` on ${WEEKDAYS[h.day ?? 0]}`);
  v.holidays.forEach((d, i) => {
    if (d.to < d.from) ctx.addIssue({ code: 'custom', path: ['holidays', i, 'to'], message: 'the last day is before the first' });
    intervalRules(d.hours, ['holidays', i, 'hours'], ctx, () => '');
    const clash = v.holidays.findIndex((o, j) => j < i && o.from <= d.to && d.from <= o.to);
    if (clash >= 0) ctx.addIssue({ code: 'custom', path: ['holidays', i, 'from'], message: `overlaps ${v.holidays[clash]!.name} (${v.holidays[clash]!.from} to ${v.holidays[clash]!.to})` });
  });
}

export const ScheduleFields = z
  .object({
    name: z.string({ error: 'enter a name' }).trim().min(1, 'enter a name').max(60, 'at most 60 characters'),
    timeZone: TimeZone,
    weekly: z.array(WeeklyInterval).max(70, 'at most 10 intervals a day'),
    holidays: z.array(Holiday).max(200, 'at most 200 holidays'),
  })
  .strict();
export type ScheduleFields = z.infer<typeof ScheduleFields>;

/** Monday to Friday, 09:00–17:00, in UTC: where a new schedule starts. */
export const NEW_SCHEDULE: ScheduleFields = {
  name: '',
  timeZone: 'UTC',
  weekly: [0, 1, 2, 3, 4].map((day) => ({ day, start: '09:00', end: '17:00' })),
  holidays: [],
};

/** POST /api/admin/schedules */
export const ScheduleCreate = ScheduleFields.superRefine(scheduleRules);
export type ScheduleCreate = z.infer<typeof ScheduleCreate>;
/** PATCH /api/admin/schedules/:id */
export const ScheduleUpdate = ScheduleFields.extend({ version: Version }).superRefine(scheduleRules);
export type ScheduleUpdate = z.infer<typeof ScheduleUpdate>;

export const SchedulesQuery = listQuery(['name', 'timeZone'], 'name');
export type SchedulesQuery = z.infer<typeof SchedulesQuery>;

export interface ScheduleRow extends ChangeStamp, ScheduleFields {
  id: string;
  /** open right now, by the server's clock (the CTI's rule) */
  openNow: boolean;
  /** queues and numbers that follow this schedule (a schedule in use is not deleted) */
  usedBy: { queues: string[]; numbers: string[] };
}

export interface ScheduleOption {
  id: string;
  name: string;
  timeZone: string;
}

/**
 * What a queue or a number does while its schedule says closed: play `closedAudio` then
 * release, or overflow to a queue or an external number (the same three actions as the
 * queue's maximum wait). No schedule: always open.
 */
export const ClosedAction = z.enum(['release', 'overflow_queue', 'overflow_number']);
export type ClosedAction = z.infer<typeof ClosedAction>;
export const CLOSED_ACTION_LABEL: Record<ClosedAction, string> = {
  release: 'Closed message, then hang up',
  overflow_queue: 'Another queue takes the call',
  overflow_number: 'Forward to a phone number',
};

export function closedRules(v: { scheduleId: string | null; closedAction: ClosedAction; closedQueueId: string | null; closedNumber: string | null }, ctx: z.RefinementCtx): void {
  if (!v.scheduleId) return;
  if (v.closedAction === 'overflow_queue' && !v.closedQueueId) ctx.addIssue({ code: 'custom', path: ['closedQueueId'], message: 'choose the queue callers go to while closed' });
  if (v.closedAction === 'overflow_number' && !v.closedNumber) ctx.addIssue({ code: 'custom', path: ['closedNumber'], message: 'enter the number callers are forwarded to while closed' });
}

export const ScheduleId = RowId;
