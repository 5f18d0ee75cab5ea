'use client';
import type { AdminCallDetail, CallEventRow } from '@/server/contracts/web-api';
import { formatPhone } from '../../../_lib/phone-format';
import { formatWhen } from '../../_lib/format';
import { useApi } from '../../_lib/use-api';
import { CallWorkFacts } from './call-work-facts';

/** One stored call: its facts, then its timeline in words, in the order the CTI wrote it (seq). */
export function CallTimeline({ callId }: { callId: string }) {
  const id = encodeURIComponent(callId);
  const call = useApi<AdminCallDetail>(`/api/admin/calls/${id}`);
  const timeline = useApi<CallEventRow[]>(`/api/admin/calls/${id}/events`);
  const events = timeline.data;
  const error = call.error ?? timeline.error;
  const start = events?.[0]?.at ?? 0;
  const c = call.data;
  const title = !c ? 'Call' : c.direction === 'outbound' ? `Call to ${formatPhone(c.callerNumber ?? c.dialed)}` : c.callerName ? `Call from ${c.callerName}` : c.callerNumber ? `Call from ${formatPhone(c.callerNumber)}` : 'Call from the website';
  return (
    <main id="main" className="page">
      <p>
        <a href="/admin/calls" data-testid="timeline-back">
          ← Call history
        </a>
      </p>
      <h1 data-testid="call-title">{title}</h1>
      {c && <p className="muted">{formatWhen(c.arrivedAt)}</p>}
      {error && (
        <p className="alert alert-error" role="alert" data-testid="timeline-error">
          {error.startsWith('Not found') ? 'No such call is stored. It may have been removed, or the link is wrong.' : error}
        </p>
      )}
      {!c && !error && <p className="muted">Loading…</p>}
      {c && <CallWorkFacts call={c} events={events} />}
      {events && events.length > 0 && <h2>What happened</h2>}
      {events?.length === 0 && <p className="muted">No steps were stored for this call.</p>}
      {events && events.length > 0 && (
        <ol className="timeline" data-testid="timeline">
          {events.map((e) => (
            <li key={e.seq} data-testid={`timeline-event-${e.seq}`} data-type={e.type}>
              <span className="timeline-time num">
                {new Date(e.at).toLocaleTimeString()} <span className="muted small">+{((e.at - start) / 1000).toFixed(1)} s</span>
              </span>
              <span className="timeline-type">{e.words}</span>
            </li>
          ))}
        </ol>
      )}
    </main>
  );
}
