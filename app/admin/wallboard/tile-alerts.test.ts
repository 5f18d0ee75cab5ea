import { describe, expect, it } from 'vitest';
import type { QueueTile } from '@/server/contracts/wallboard';
import { tileAlerts } from './tile-alerts';

const T = 1_800_000_000_000;
const tile = (o: Partial<QueueTile> & { ready?: number }): QueueTile =>
  ({ waiting: 0, oldestWaitingSince: null, alerts: { maxWaitSec: 60, noReady: true }, staffing: { ready: o.ready ?? 1, ringing: 0, talking: 0, wrapUp: 0, notReady: 0, notReadyByReason: {} }, ...o }) as QueueTile;

describe('tile alerts', () => {
  it('red past the longest-wait limit (strictly over), and when callers wait with nobody Ready', () => {
    expect(tileAlerts(tile({ waiting: 1, oldestWaitingSince: T - 60_000 }), T)).toEqual([]);
    expect(tileAlerts(tile({ waiting: 1, oldestWaitingSince: T - 61_000 }), T)).toEqual(['A caller has waited over 60 s']);
    expect(tileAlerts(tile({ waiting: 1, oldestWaitingSince: T, ready: 0 }), T)).toEqual(['Callers waiting and nobody is Ready']);
  });
  it('nobody waiting is never red; alerts turned off stay quiet', () => {
    expect(tileAlerts(tile({ ready: 0 }), T)).toEqual([]);
    expect(tileAlerts(tile({ waiting: 3, oldestWaitingSince: T - 999_000, ready: 0, alerts: { maxWaitSec: null, noReady: false } }), T)).toEqual([]);
  });
});
