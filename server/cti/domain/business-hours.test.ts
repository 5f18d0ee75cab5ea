import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScheduleCreate, type Holiday, type WeeklyInterval } from '../../contracts/admin/schedules';
import { isOpen, wallClock, type ScheduleRule } from './business-hours';

/** isOpen: properties over random schedules and instants, then the DST edges by hand. */
const clock = (m: number) => (m === 1440 ? '24:00' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
const at = (iso: string) => Date.parse(iso);
const rule = (timeZone: string, weekly: WeeklyInterval[], holidays: Holiday[] = []): ScheduleRule => ({ timeZone, weekly, holidays });

/** Non-overlapping intervals on random days (sorted cut points, paired), as the editor allows them. */
const arbWeekly = fc
  .array(fc.record({ day: fc.integer({ min: 0, max: 6 }), cuts: fc.uniqueArray(fc.integer({ min: 0, max: 1440 }), { minLength: 2, maxLength: 6 }) }), { maxLength: 7 })
  .map((days) => {
    const out: WeeklyInterval[] = [];
    const seen = new Set<number>();
    for (const d of days) {
      if (seen.has(d.day)) continue;
      seen.add(d.day);
      const c = [...d.cuts].sort((a, b) => a - b);
      for (let i = 0; i + 1 < c.length; i += 2) out.push({ day: d.day, start: clock(c[i]!), end: clock(c[i + 1]!) });
    }
    return out;
  });
const arbInstant = fc.integer({ min: at('2020-01-01T00:00:00Z'), max: at('2035-12-31T23:59:59Z') });
const ZONES = ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Auckland', 'America/Sao_Paulo'];

/** An oracle for fixed-offset zones: the UTC fields of the shifted instant (no tz database involved). */
function fixedOffsetOpen(weekly: WeeklyInterval[], instant: number, offsetMin: number): boolean {
  const d = new Date(instant + offsetMin * 60_000);
  const weekday = (d.getUTCDay() + 6) % 7;
  const minute = d.getUTCHours() * 60 + d.getUTCMinutes();
  return weekly.some((w) => w.day === weekday && toMin(w.start) <= minute && minute < toMin(w.end));
}
const toMin = (c: string) => Number(c.slice(0, 2)) * 60 + Number(c.slice(3));

describe('isOpen: properties', () => {
  it('every random schedule the editor accepts passes the shared schema (the generator is honest)', () => {
    fc.assert(fc.property(arbWeekly, (weekly) => ScheduleCreate.safeParse({ name: 'x', timeZone: 'UTC', weekly, holidays: [] }).success));
  });

  it('in UTC and in fixed-offset zones it agrees with plain UTC arithmetic', () => {
    const fixed: Array<[string, number]> = [['UTC', 0], ['Etc/GMT-2', 120], ['Etc/GMT+5', -300], ['Etc/GMT-14', 840]];
    fc.assert(
      fc.property(arbWeekly, arbInstant, fc.constantFrom(...fixed), (weekly, instant, [tz, offset]) => isOpen(rule(tz, weekly), instant) === fixedOffsetOpen(weekly, instant, offset)),
      { numRuns: 500 },
    );
  });

  it('no intervals: always closed; every day 00:00–24:00: always open (any zone)', () => {
    const allDay = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' }));
    fc.assert(fc.property(arbInstant, fc.constantFrom(...ZONES), (instant, tz) => !isOpen(rule(tz, []), instant) && isOpen(rule(tz, allDay), instant)));
  });

  it('adding an interval never closes an instant that was open; splitting one changes nothing', () => {
    fc.assert(
      fc.property(arbWeekly, arbInstant, fc.constantFrom(...ZONES), fc.integer({ min: 0, max: 6 }), (weekly, instant, tz, day) => {
        const before = isOpen(rule(tz, weekly), instant);
        const more = isOpen(rule(tz, [...weekly, { day, start: '00:00', end: '00:30' }]), instant);
        const split = weekly.flatMap((w) => {
          const a = toMin(w.start);
          const b = toMin(w.end);
          const mid = Math.floor((a + b) / 2);
          return mid > a && mid < b ? [{ ...w, end: clock(mid) }, { ...w, start: clock(mid) }] : [w];
        });
        return (!before || more) && isOpen(rule(tz, split), instant) === before;
      }),
      { numRuns: 300 },
    );
  });

  it('a holiday covering the local date decides alone: closed all day, or its own hours', () => {
    const allDay = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' }));
    fc.assert(
      fc.property(arbInstant, fc.constantFrom(...ZONES), (instant, tz) => {
        const local = wallClock(tz, instant);
        const closed = isOpen(rule(tz, allDay, [{ name: 'h', from: local.date, to: local.date, hours: [] }]), instant);
        const special = isOpen(rule(tz, [], [{ name: 'h', from: local.date, to: local.date, hours: [{ start: '00:00', end: '24:00' }] }]), instant);
        return !closed && special;
      }),
    );
  });
});

describe('isOpen: DST and day edges', () => {
  const sunday = (start: string, end: string) => [{ day: 6, start, end }];

  it('Europe/London spring forward (29 March 2026, 01:00 → 02:00): the skipped hour never opens', () => {
    const s = rule('Europe/London', sunday('01:00', '02:00'));
    for (const t of ['2026-03-29T00:30:00Z', '2026-03-29T00:59:00Z', '2026-03-29T01:00:00Z', '2026-03-29T01:30:00Z']) expect(isOpen(s, at(t)), t).toBe(false);
    // 00:00–03:00 local is only two real hours that day
    const wide = rule('Europe/London', sunday('00:00', '03:00'));
    expect(isOpen(wide, at('2026-03-28T23:59:00Z'))).toBe(false); // Saturday 23:59 GMT
    expect(isOpen(wide, at('2026-03-29T00:00:00Z'))).toBe(true); // 00:00 GMT
    expect(isOpen(wide, at('2026-03-29T01:59:00Z'))).toBe(true); // 02:59 BST
    expect(isOpen(wide, at('2026-03-29T02:00:00Z'))).toBe(false); // 03:00 BST
  });

  it('Europe/London fall back (25 October 2026, 02:00 → 01:00): the repeated hour is open both times', () => {
    const s = rule('Europe/London', sunday('01:00', '02:00'));
    expect(isOpen(s, at('2026-10-24T23:59:00Z'))).toBe(false); // 00:59 BST
    expect(isOpen(s, at('2026-10-25T00:30:00Z'))).toBe(true); // 01:30 BST
    expect(isOpen(s, at('2026-10-25T01:30:00Z'))).toBe(true); // 01:30 GMT, again
    expect(isOpen(s, at('2026-10-25T02:00:00Z'))).toBe(false); // 02:00 GMT
  });

  it('America/New_York: 09:00–17:00 is 14:00–22:00 UTC in winter and 13:00–21:00 UTC in summer', () => {
    const weekdays = [0, 1, 2, 3, 4].map((day) => ({ day, start: '09:00', end: '17:00' }));
    const s = rule('America/New_York', weekdays);
    expect(isOpen(s, at('2026-03-06T13:30:00Z'))).toBe(false); // Fri 08:30 EST
    expect(isOpen(s, at('2026-03-06T14:00:00Z'))).toBe(true); // Fri 09:00 EST
    expect(isOpen(s, at('2026-03-09T13:00:00Z'))).toBe(true); // Mon 09:00 EDT (DST began Sunday 8 March)
    expect(isOpen(s, at('2026-03-09T21:00:00Z'))).toBe(false); // Mon 17:00 EDT
    expect(isOpen(s, at('2026-03-08T15:00:00Z'))).toBe(false); // the Sunday itself
  });

  it('the local date, not the UTC date, picks the weekday and the holiday', () => {
    // Friday 23:30 in Tokyo is Friday 14:30 UTC; Saturday 00:30 in Tokyo is still Friday in UTC
    const fridayLate = rule('Asia/Tokyo', [{ day: 4, start: '23:00', end: '24:00' }]);
    expect(isOpen(fridayLate, at('2026-12-04T14:30:00Z'))).toBe(true);
    expect(isOpen(fridayLate, at('2026-12-04T15:30:00Z'))).toBe(false);
    // New Year's Day in Auckland starts at 11:00 UTC on 31 December
    const nz = rule('Pacific/Auckland', [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' })), [{ name: "New Year's Day", from: '2027-01-01', to: '2027-01-01', hours: [] }]);
    expect(isOpen(nz, at('2026-12-31T10:59:00Z'))).toBe(true);
    expect(isOpen(nz, at('2026-12-31T11:00:00Z'))).toBe(false);
  });

  it('a holiday range is inclusive, and special hours replace the weekday hours', () => {
    const s = rule('UTC', [0, 1, 2, 3, 4].map((day) => ({ day, start: '09:00', end: '17:00' })), [
      { name: 'Christmas', from: '2026-12-24', to: '2026-12-26', hours: [] },
      { name: 'New Year’s Eve', from: '2026-12-31', to: '2026-12-31', hours: [{ start: '10:00', end: '12:00' }] },
    ]);
    expect(isOpen(s, at('2026-12-23T10:00:00Z'))).toBe(true);
    expect(isOpen(s, at('2026-12-24T10:00:00Z'))).toBe(false);
    expect(isOpen(s, at('2026-12-25T10:00:00Z'))).toBe(false);
    expect(isOpen(s, at('2026-12-28T10:00:00Z'))).toBe(true);
    expect(isOpen(s, at('2026-12-31T09:30:00Z'))).toBe(false);
    expect(isOpen(s, at('2026-12-31T11:59:00Z'))).toBe(true);
    expect(isOpen(s, at('2026-12-31T12:00:00Z'))).toBe(false); // half-open: the end minute is closed
  });
});

describe('schedule validation (the schema the form and the API share)', () => {
  const base = { name: 'Office', timeZone: 'Europe/London', holidays: [] };
  const fields = (v: unknown) => {
    const r = ScheduleCreate.safeParse(v);
    return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]));
  };

  it('end before start, overlapping intervals, unknown zone, bad dates, overlapping holidays: field messages', () => {
    expect(fields({ ...base, weekly: [{ day: 0, start: '17:00', end: '09:00' }] })).toEqual({ 'weekly.0.end': expect.stringMatching(/ends before it starts/) });
    expect(fields({ ...base, weekly: [{ day: 0, start: '09:00', end: '12:00' }, { day: 0, start: '11:00', end: '13:00' }] })).toEqual({ 'weekly.1.start': 'overlaps 09:00–12:00 on Monday' });
    expect(fields({ ...base, weekly: [{ day: 0, start: '09:00', end: '12:00' }, { day: 0, start: '12:00', end: '13:00' }, { day: 1, start: '11:00', end: '13:00' }] })).toEqual({});
    expect(fields({ ...base, timeZone: 'Mars/Olympus', weekly: [] })).toEqual({ timeZone: expect.stringMatching(/unknown time zone/) });
    expect(fields({ ...base, weekly: [{ day: 0, start: '9:00', end: '25:00' }] })).toMatchObject({ 'weekly.0.start': expect.stringMatching(/HH:MM/), 'weekly.0.end': expect.stringMatching(/HH:MM/) });
    expect(fields({ ...base, weekly: [], holidays: [{ name: 'X', from: '2026-02-31', to: '2026-03-01', hours: [] }] })).toEqual({ 'holidays.0.from': 'no such date' });
    expect(fields({ ...base, weekly: [], holidays: [{ name: 'X', from: '2026-03-02', to: '2026-03-01', hours: [] }] })).toEqual({ 'holidays.0.to': 'the last day is before the first' });
    expect(
      fields({ ...base, weekly: [], holidays: [{ name: 'A', from: '2026-12-24', to: '2026-12-26', hours: [] }, { name: 'B', from: '2026-12-26', to: '2026-12-26', hours: [{ start: '12:00', end: '10:00' }] }] }),
    ).toEqual({ 'holidays.1.from': 'overlaps A (2026-12-24 to 2026-12-26)', 'holidays.1.hours.0.end': expect.stringMatching(/ends before/) });
    expect(fields({ ...base, timeZone: 'UTC', weekly: [] })).toEqual({});
  });
});
