/**
 * What changed between two audit snapshots: only the keys whose values differ, each as
 * "key: before → after". A create shows the new values, a delete the old ones.
 */
function show(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v === '' ? '""' : v;
  return JSON.stringify(v);
}

export function ChangeSummary({ before, after }: { before: unknown; after: unknown }) {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  if (keys.length === 0) return <span className="text-muted">—</span>;
  return (
    <ul className="m-0 grid list-none gap-0.5 p-0 text-sm">
      {keys.map((k) => (
        <li key={k} className="break-words">
          <span className="font-semibold">{k}</span>: {before ? <span className="text-bad line-through decoration-1">{show(b[k])}</span> : null}
          {before && after ? ' → ' : null}
          {after ? <span className="text-ok">{show(a[k])}</span> : null}
        </li>
      ))}
    </ul>
  );
}
