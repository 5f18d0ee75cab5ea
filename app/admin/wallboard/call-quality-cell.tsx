'use client';
import { QUALITY_WORDS, rateLeg, type CallQuality, type LegQuality } from '@/server/contracts/call-quality';
import type { CallView } from '@/server/contracts/socket-events';

const PILL = { good: 'ok', fair: 'wait', poor: 'bad' } as const;

/**
 * A call's quality on the roster in plain words (Good / Fair / Poor: the worse of the caller's
 * and the operator's audio as it reaches the ACD), the figures behind a toggle. Before the first
 * measurement (a few seconds into the call) it says so; without a call, a dash.
 */
export function CallQualityCell({ call, testId }: { call: CallView | undefined; testId: string }) {
  if (!call || call.status === 'ended') return <span className="muted">—</span>;
  const q = call.quality;
  if (!q) return <span className="text-sm text-muted" data-testid={testId} data-rating="none">{call.answeredAt ? 'Measuring…' : '—'}</span>;
  return (
    <details className="min-w-64" data-testid={testId} data-rating={q.rating}>
      <summary className="cursor-pointer">
        <span className={`pill ${PILL[q.rating]}`}>{QUALITY_WORDS[q.rating]}</span>
      </summary>
      <dl className="m-0 mt-1 grid grid-cols-[auto_1fr] gap-x-2 text-sm">
        <Side who="Caller" q={q.caller} />
        <Side who="Operator" q={q.operator} />
      </dl>
    </details>
  );
}

function Side({ who, q }: { who: string; q: CallQuality['caller'] }) {
  return (
    <>
      <dt className="text-muted">{who}</dt>
      <dd className="m-0">{q ? figures(q) : 'not measured yet'}</dd>
    </>
  );
}

const figures = (q: LegQuality) => `${QUALITY_WORDS[rateLeg(q)]}: ${q.lossPct}% lost, ${q.jitterMs} ms jitter`;
