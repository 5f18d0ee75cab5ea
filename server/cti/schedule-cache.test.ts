import { describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import type { StoredSchedule } from './ports/cti-store';
import { ScheduleCache } from './schedule-cache';

/** The cache's rules, with a store the test controls (the real store is used by the CTI tests). */
const MONDAY_NOON = Date.parse('2026-11-30T12:00:00Z');
const open9to5: StoredSchedule = { id: 's-1', name: 'Office', timeZone: 'UTC', weekly: [{ day: 0, start: '09:00', end: '17:00' }], holidays: [] };
const closed: StoredSchedule = { ...open9to5, weekly: [] };

function store(rows: () => Promise<StoredSchedule[]>) {
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    schedules: () => {
      reads++;
      return rows();
    },
  };
}

describe('ScheduleCache', () => {
  it('answers from memory after the first load; no schedule is open; an unknown one counts as open', async () => {
    const s = store(async () => [closed]);
    const cache = new ScheduleCache(s, createLogger('silent'));
    await cache.ready();
    await cache.ready();
    expect(s.reads).toBe(1);
    expect(cache.isOpen('s-1', MONDAY_NOON)).toBe(false);
    expect(cache.isOpen(null, MONDAY_NOON)).toBe(true);
    expect(cache.isOpen('s-unknown', MONDAY_NOON)).toBe(true);
    expect(s.reads).toBe(1);
  });

  it('a reload sees the change; a failed reload keeps the previous copy; reloads asked during a load run once more', async () => {
    let rows: StoredSchedule[] = [closed];
    let fail = false;
    const s = store(async () => {
      if (fail) throw new Error('database down');
      return rows;
    });
    const cache = new ScheduleCache(s, createLogger('silent'));
    await cache.ready();
    rows = [open9to5];
    await cache.reload();
    expect(cache.isOpen('s-1', MONDAY_NOON)).toBe(true);
    fail = true;
    await cache.reload();
    expect(cache.isOpen('s-1', MONDAY_NOON)).toBe(true);
    fail = false;
    const before = s.reads;
    await Promise.all([cache.reload(), cache.reload(), cache.reload()]);
    expect(s.reads - before).toBe(2);
  });

  it('a rule that cannot be evaluated (a zone the runtime does not know) counts as open', async () => {
    const cache = new ScheduleCache(store(async () => [{ ...closed, timeZone: 'Mars/Olympus' }]), createLogger('silent'));
    await cache.ready();
    expect(cache.isOpen('s-1', MONDAY_NOON)).toBe(true);
  });
});
