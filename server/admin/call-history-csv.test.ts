import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, callsCsv, isoInZone } from './call-history-csv';
import type { CallExportRow } from './call-history';
import { describeEvent } from './call-story';
import { TimelineEvent } from '../contracts/call';

/** The export's pieces without a database: local times with offsets, and CSV that parses back. */
describe('isoInZone', () => {
  it('writes local time with the offset, across a daylight-saving change and in half-hour zones', () => {
    const london = isoInZone('Europe/London');
    // 2026-03-29 01:00 UTC: London goes from GMT to BST
    expect(london(Date.parse('2026-03-29T00:59:59.250Z'))).toBe('2026-03-29T00:59:59.250+00:00');
    expect(london(Date.parse('2026-03-29T01:00:00.000Z'))).toBe('2026-03-29T02:00:00.000+01:00');
    expect(isoInZone('Asia/Kolkata')(Date.parse('2026-12-01T00:00:00Z'))).toBe('2026-12-01T05:30:00.000+05:30');
    expect(isoInZone('America/New_York')(Date.parse('2026-12-01T03:04:05.006Z'))).toBe('2026-11-30T22:04:05.006-05:00');
    expect(isoInZone('UTC')(0)).toBe('1970-01-01T00:00:00.000+00:00');
    // every output reads back as the same instant
    const ny = isoInZone('America/New_York');
    for (let t = Date.parse('2026-11-01T04:00:00Z'); t < Date.parse('2026-11-01T08:00:00Z'); t += 7 * 60_000) expect(Date.parse(ny(t))).toBe(t);
  });
});

describe('callsCsv', () => {
  const row = (id: string, notes: string | null): CallExportRow => ({
    id,
    arrivedAt: Date.parse('2026-11-30T08:00:00Z'),
    direction: 'inbound',
    callerNumber: '+441632960001',
    callerName: 'Carla, "CC" Caller',
    dialed: '+15550100',
    queue: 'Support, "gold"',
    operatorName: 'Olivia Operator',
    waitMs: 1234,
    talkMs: null,
    endedAt: null,
    endedBy: null,
    outcome: 'abandoned',
    disposition: null,
    notes,
  });

  it('quotes commas, quotes and line breaks, and parses back to the same fields', async () => {
    const notes = ['a, b', 'she said "no"', 'line 1\nline 2\r\nline 3', '=1+1', ''];
    async function* batches() {
      yield notes.slice(0, 2).map((n, i) => row(`c-${i}`, n));
      yield notes.slice(2).map((n, i) => row(`c-${i + 2}`, n));
    }
    let text = '';
    for await (const chunk of callsCsv(batches(), 'UTC')) text += String(chunk);
    const records = parse(text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0]!)).toEqual([...CSV_COLUMNS]);
    expect(records.map((r) => r.notes)).toEqual(notes);
    expect(records[0]).toMatchObject({ arrived: '2026-11-30T08:00:00.000+00:00', 'time zone': 'UTC', queue: 'Support, "gold"', 'caller name': 'Carla, "CC" Caller', 'waited (s)': '1.2', 'talked (s)': '', ended: '' });
  });

  it('an empty range is the header line alone', async () => {
    async function* none(): AsyncGenerator<CallExportRow[]> {}
    let text = '';
    for await (const chunk of callsCsv(none(), 'UTC')) text += String(chunk);
    expect(text.trim()).toBe(CSV_COLUMNS.join(','));
  });
});

describe('describeEvent', () => {
  it('says every timeline event in words, with names, never an id or JSON', () => {
    // the route's fallbacks start lower-case ("an operator"): the sentence must still start with a capital
    const names = { operator: (v: unknown) => (v ? 'Olivia Operator' : 'an operator'), queue: (v: unknown) => (v ? 'Sales' : 'another queue') };
    const data = { operatorId: 'u-op1', toOperatorId: 'u-op2', consultOperatorId: 'u-op2', toQueueId: 'q-sales', deviceLegId: 'leg-1', number: '+441632960001', count: 2, cause: 'BYE', action: 'release' };
    for (const type of TimelineEvent.options) {
      for (const d of [data, null]) {
        const words = describeEvent(type, d, names);
        expect(words, type).toMatch(/^[A-Z+]/);
        expect(words, type).not.toMatch(/u-op|q-sales|leg-|[{}]|BYE|undefined/);
      }
    }
    expect(describeEvent('offered', data, names)).toBe('Offered to Olivia Operator');
    expect(describeEvent('queue-full', { maxCallers: 3, action: 'release' }, names)).toBe('The queue was full (3 waiting): the caller got the queue-full message, then the call ended');
    expect(describeEvent('queue-empty', { when: 'arrival', action: 'release' }, names)).toBe('Nobody who could take the call was signed in: the caller got the queue\u2019s message, then the call ended');
    expect(describeEvent('announcement', { then: 'music', position: 2, waitSec: 360, clips: ['say-you-are', 'say-n2', 'say-in-line', 'say-wait-is', 'say-n6', 'say-minutes', 'say-callback-press', 'say-n1'] }, names)).toBe(
      'The caller was told their place in the queue (2), the expected wait (6 min), how to be called back',
    );
    expect(describeEvent('callback-dial', { operatorId: 'u-op1', number: '+44 •••• 123', attempt: 2 }, names)).toBe('Olivia Operator was kept for the callback; the caller +44 •••• 123 was called back (try 2)');
  });
});
