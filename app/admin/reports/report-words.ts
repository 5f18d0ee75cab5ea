/** "1 h 05 min", "2 min 30 s", "45 s"; a dash for no figure. */
export function duration(ms: number | null): string {
  if (ms === null) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export const percent = (x: number | null) => (x === null ? '–' : `${x}%`);

/** 'YYYY-MM-DD' of today in the zone. */
export function todayIn(tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** The calendar day `n` days before 'YYYY-MM-DD'. */
export function daysBefore(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - n)).toISOString().slice(0, 10);
}

export const INTERVAL_TEXT = { '15': '15 minutes', '30': '30 minutes', '60': 'Hour', day: 'Day' } as const;
