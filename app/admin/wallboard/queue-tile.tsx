'use client';
import type { QueueTile as Tile } from '@/server/contracts/wallboard';
import { formatDuration } from '../../_lib/time';
import { cn } from '../../_components/ui/cn';

const secs = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));

/** One queue on the wallboard: now (waiting, longest wait, operators), then today so far. */
export function QueueTile({ t, now, reasons, big }: { t: Tile; now: number; reasons: string[]; big: boolean }) {
  const red = reasons.length > 0;
  const longest = t.oldestWaitingSince !== null ? now - t.oldestWaitingSince : null;
  const s = t.staffing;
  const r = t.ratios;
  const reasonsNotReady = Object.entries(s.notReadyByReason);
  return (
    <section
      aria-labelledby={`tile-h-${t.queueId}`}
      data-testid={`tile-${t.queueId}`}
      data-alert={red ? 'red' : 'ok'}
      className={cn('grid min-w-0 content-start gap-3 rounded-box border-2 p-4', red ? 'border-bad bg-bad-bg' : 'border-border bg-surface')}
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={`tile-h-${t.queueId}`} className={cn('m-0', big ? 'text-4xl' : 'text-xl')}>
          {t.name}
        </h2>
        <span className={cn('text-muted', big ? 'text-xl' : 'text-sm')}>
          Target {t.slTargetPct} % in {t.slThresholdSec} s
        </span>
      </div>
      {red && (
        <ul className="m-0 list-none p-0 font-semibold text-bad" role="alert" data-testid={`tile-alerts-${t.queueId}`}>
          {reasons.map((x) => (
            <li key={x}>{x}</li>
          ))}
        </ul>
      )}
      <dl className={cn('m-0 grid grid-cols-3 gap-x-4 gap-y-1', big ? 'text-6xl' : 'text-lg')}>
        <Figure big={big} label="Waiting" value={String(t.waiting)} testId={`tile-waiting-${t.queueId}`} strong />
        <Figure big={big} label="Longest wait" value={longest === null ? '—' : formatDuration(longest)} testId={`tile-longest-${t.queueId}`} strong />
        <Figure big={big} label="Callbacks waiting" value={String(t.callbacksWaiting)} testId={`tile-callbacks-${t.queueId}`} />
      </dl>
      <dl className={cn('m-0 grid grid-cols-2 gap-x-4 gap-y-1 sm:grid-cols-4', big ? 'text-4xl' : 'text-base')}>
        <Figure big={big} label="Ready" value={String(s.ready)} testId={`tile-ready-${t.queueId}`} />
        <Figure big={big} label="Talking" value={String(s.talking)} testId={`tile-talking-${t.queueId}`} />
        <Figure big={big} label="Wrap-up" value={String(s.wrapUp)} testId={`tile-wrapup-${t.queueId}`} />
        <Figure big={big} label="Not ready" value={String(s.notReady)} testId={`tile-notready-${t.queueId}`} />
      </dl>
      {(s.ringing > 0 || reasonsNotReady.length > 0) && (
        <p className="m-0 text-sm text-muted">
          {s.ringing > 0 && `${s.ringing} being offered a call. `}
          {reasonsNotReady.length > 0 && `Not ready: ${reasonsNotReady.map(([why, n]) => `${why} ${n}`).join(', ')}.`}
        </p>
      )}
      <h3 className={cn('m-0 font-semibold uppercase tracking-wide text-muted', big ? 'text-xl' : 'text-sm')}>Today ({t.day})</h3>
      <dl className={cn('m-0 grid grid-cols-2 gap-x-4 gap-y-1 sm:grid-cols-3', big ? 'text-4xl' : 'text-base')}>
        <Figure big={big} label="Offered" value={String(t.tally.offered)} testId={`tile-offered-${t.queueId}`} />
        <Figure big={big} label="Answered" value={String(t.tally.answered)} testId={`tile-answered-${t.queueId}`} />
        <Figure big={big} label="Abandoned" value={String(t.tally.abandoned)} testId={`tile-abandoned-${t.queueId}`} hint={t.tally.shortAbandoned > 0 ? `+ ${t.tally.shortAbandoned} within 5 s` : undefined} />
        <Figure
          big={big}
          label="Service level"
          value={r.serviceLevelPct === null ? '—' : `${r.serviceLevelPct} %`}
          testId={`tile-sl-${t.queueId}`}
          tone={r.serviceLevelPct === null ? undefined : r.serviceLevelPct >= t.slTargetPct ? 'ok' : 'bad'}
          hint={r.serviceLevelPct === null ? 'no answered or lost calls yet' : undefined}
        />
        <Figure big={big} label="Avg. speed of answer" value={secs(r.avgSpeedOfAnswerMs)} testId={`tile-asa-${t.queueId}`} />
        <Figure big={big} label="Avg. handle time" value={secs(r.avgHandleMs)} testId={`tile-aht-${t.queueId}`} />
      </dl>
    </section>
  );
}

function Figure({ label, value, testId, strong, hint, tone, big }: { big?: boolean; label: string; value: string; testId: string; strong?: boolean; hint?: string | undefined; tone?: 'ok' | 'bad' | undefined }) {
  return (
    <div className="grid min-w-0">
      <dt className={cn('text-muted', big ? 'text-xl' : 'text-sm')}>{label}</dt>
      <dd className={cn('m-0 tabular-nums', strong ? 'font-bold' : 'font-semibold', tone === 'ok' && 'text-ok', tone === 'bad' && 'text-bad')}>
        <span data-testid={testId}>{value}</span>
        {hint && <span className="block text-xs font-normal text-muted" data-testid={`${testId}-hint`}>{hint}</span>}
      </dd>
    </div>
  );
}
