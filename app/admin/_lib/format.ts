/** "1 Dec 2026, 08:10" in the admin's own time zone. */
export function formatWhen(ms: number): string {
  return new Date(ms).toLocaleString([], { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** "Changed by Ada Admin, 1 Dec 2026, 08:10 · version 3" */
export function changeStamp(s: { updatedAt: number; updatedByName: string | null; version: number }): string {
  return `Last changed ${s.updatedByName ? `by ${s.updatedByName}, ` : ''}${formatWhen(s.updatedAt)} · version ${s.version}`;
}
