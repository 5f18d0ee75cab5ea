'use client';
import { useEffect, useState } from 'react';
import type { CallEventRow } from '@/server/contracts/web-api';
import { api } from '../../../_lib/api';

/** The stored timeline of one call, in the order the CTI wrote it (seq). */
export function CallTimeline({ callId }: { callId: string }) {
  const [events, setEvents] = useState<CallEventRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void api<CallEventRow[]>(`/api/admin/calls/${encodeURIComponent(callId)}/events`).then((r) => {
      if (!live) return;
      if (r.ok) setEvents(r.data);
      else setError(r.status === 404 ? 'No such call is stored.' : r.error.message);
    });
    return () => {
      live = false;
    };
  }, [callId]);

  const start = events?.[0]?.at ?? 0;
  return (
    <>
      <main id="main" className="page">
        <p>
          <a href="/admin" data-testid="timeline-back">
            ← Supervision
          </a>
        </p>
        <h1>
          Call <span className="mono">{callId}</span>
        </h1>
        {error && (
          <p className="alert alert-error" role="alert" data-testid="timeline-error">
            {error}
          </p>
        )}
        {events === null && !error && <p className="muted">Loading…</p>}
        {events?.length === 0 && <p className="muted">No events stored for this call.</p>}
        {events && events.length > 0 && (
          <ol className="timeline" data-testid="timeline">
            {events.map((e) => (
              <li key={e.seq} data-testid={`timeline-event-${e.seq}`}>
                <span className="timeline-time num">
                  {new Date(e.at).toLocaleTimeString()} <span className="muted small">+{((e.at - start) / 1000).toFixed(1)} s</span>
                </span>
                <strong className="timeline-type">{e.type}</strong>
                {e.data !== null && e.data !== undefined && <pre className="timeline-data">{JSON.stringify(e.data, null, 2)}</pre>}
              </li>
            ))}
          </ol>
        )}
      </main>
    </>
  );
}
