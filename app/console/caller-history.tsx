'use client';
import type { CallerHistory } from '@/server/contracts/call-work';
import type { CallOutcome } from '@/server/contracts/call';
import { formatClock } from '../_lib/time';

const OUTCOME_TEXT: Record<CallOutcome, string> = {
  completed: 'Answered',
  abandoned: 'Hung up while waiting',
  timeout: 'Waited too long',
  closed: 'Called while closed',
  forwarded: 'Forwarded to another number',
  busy: 'Queue was full',
  failed: 'Could not be connected',
};

function when(ms: number): string {
  const d = new Date(ms);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay ? `Today ${formatClock(ms)}` : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

/** The caller's previous calls to the center: when, how it went, who took it, the outcome and notes. */
export function CallerHistoryList({ history }: { history: { data: CallerHistory | null; error: string | null } | null }) {
  if (!history) return <p className="muted small">Looking up earlier calls…</p>;
  if (history.error) return <p className="muted small">Earlier calls could not be read: {history.error}</p>;
  const h = history.data;
  if (!h?.number) return <p className="muted small" data-testid="history-none">This caller called from the website, so earlier calls cannot be matched.</p>;
  if (h.calls.length === 0)
    return (
      <p className="muted small" data-testid="history-empty">
        First call from this number.
      </p>
    );
  return (
    <ol className="history" data-testid="caller-history">
      {h.calls.map((c) => (
        <li key={c.callId} data-testid="history-call">
          <span className="history-when">{when(c.arrivedAt)}</span>
          <span>
            {c.outcome ? OUTCOME_TEXT[c.outcome] : 'Not finished'}
            {c.operatorName ? ` · ${c.operatorName}` : ''}
            {c.queue ? ` · ${c.queue}` : ''}
          </span>
          {c.disposition && <span className="pill">{c.disposition.label}</span>}
          {c.notes && <span className="history-notes">{c.notes}</span>}
        </li>
      ))}
    </ol>
  );
}
