import { once } from 'node:events';
import { stringify, type Stringifier } from 'csv-stringify';
import type { CallExportRow } from './call-history';

/**
 * The call history as CSV (RFC 4180 quoting by csv-stringify, a well-kept streaming writer: a
 * field with a comma, a quote or a line break is quoted, quotes doubled). Times are ISO 8601 in
 * the asked time zone with its offset (2026-12-01T09:05:00.000+00:00), and the zone's name is a
 * column of its own, so a spreadsheet or a script reads the instant without guessing. The rows
 * come in batches (the keyset batches of CallHistory.exportBatches) and are written with
 * back-pressure: a slow download slows the reads instead of filling memory.
 */
export const CSV_COLUMNS = [
  'arrived',
  'time zone',
  'direction',
  'caller number',
  'caller name',
  'number dialled',
  'queue',
  'operator',
  'waited (s)',
  'talked (s)',
  'ended',
  'ended by',
  'outcome',
  'disposition',
  'notes',
  'call id',
] as const;

export function callsCsv(batches: AsyncIterable<CallExportRow[]>, timeZone: string): Stringifier {
  const iso = isoInZone(timeZone);
  const secs = (ms: number | null) => (ms === null ? '' : (ms / 1000).toFixed(1));
  const record = (r: CallExportRow) => [
    iso(r.arrivedAt),
    timeZone,
    r.direction,
    r.callerNumber ?? '',
    r.callerName ?? '',
    r.dialed,
    r.queue ?? '',
    r.operatorName ?? '',
    secs(r.waitMs),
    secs(r.talkMs),
    r.endedAt === null ? '' : iso(r.endedAt),
    r.endedBy ?? '',
    r.outcome ?? '',
    r.disposition ?? '',
    r.notes ?? '',
    r.id,
  ];
  const out = stringify({ header: true, columns: [...CSV_COLUMNS] });
  void (async () => {
    try {
      for await (const batch of batches) {
        for (const r of batch) {
          if (out.destroyed) return; // the download was abandoned: stop reading (the for-await closes the batches)
          // back-pressure: wait while the reader (the HTTP answer) is behind
          if (!out.write(record(r))) await Promise.race([once(out, 'drain'), once(out, 'close')]);
        }
      }
      out.end();
    } catch (err) {
      out.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  })();
  return out;
}

/**
 * ms since epoch → ISO 8601 local time in `timeZone` with its UTC offset. The offset is asked of
 * Intl once per half hour of time (zones change their offset on the hour or the half hour), so
 * 100,000 rows cost a few thousand Intl calls at most, not 200,000.
 */
export function isoInZone(timeZone: string): (ms: number) => string {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const offsets = new Map<number, number>();
  const offsetAt = (ms: number): number => {
    const bucket = Math.floor(ms / 1_800_000);
    let off = offsets.get(bucket);
    if (off === undefined) {
      const p = Object.fromEntries(fmt.formatToParts(new Date(bucket * 1_800_000)).map((x) => [x.type, x.value]));
      const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
      off = Math.round((asUtc - bucket * 1_800_000) / 60_000);
      offsets.set(bucket, off);
    }
    return off;
  };
  return (ms) => {
    const off = offsetAt(ms);
    const local = new Date(ms + off * 60_000).toISOString().slice(0, 23);
    const a = Math.abs(off);
    return `${local}${off < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  };
}
