'use client';
import { useEffect, useState } from 'react';
import type { TrunkLiveStatus, TrunkStatusAnswer } from '@/server/contracts/admin/trunks';
import { api } from '../../_lib/api';
import { cn } from '../../_components/ui/cn';
import type { Tone } from './trunk-words';

export { describe } from './trunk-words';

/**
 * A trunk's live registration state, as the ACD reports it (GET /api/admin/trunk-status), in
 * plain words and a colour. Polled every 2 s while the page is visible: the state lives in the
 * ACD's memory, the answer is a few hundred bytes, and a poll needs no new socket channel or
 * push plumbing for a page an admin has open for minutes; 2 s is within the "seconds" an admin
 * waits after saving. A countdown ("renews in 4 min") ticks every second between polls.
 */
const POLL_MS = 2000;

export interface LiveStatus {
  byId: Map<string, TrunkLiveStatus>;
  /** the server's clock minus ours, so countdowns use the ACD's times */
  skewMs: number;
  error: string | null;
  /** true once the first answer is in */
  loaded: boolean;
  /** the switch runs on another machine: its live state is not shown here */
  elsewhere: boolean;
}

export function useTrunkStatus(): LiveStatus & { now: number } {
  const [live, setLive] = useState<LiveStatus>({ byId: new Map(), skewMs: 0, error: null, loaded: false, elsewhere: false });
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      if (document.visibilityState === 'hidden') return;
      const r = await api<TrunkStatusAnswer>('/api/admin/trunk-status');
      if (stopped) return;
      if (r.ok) setLive({ byId: new Map(r.data.trunks.map((t) => [t.id, t])), skewMs: r.data.now - Date.now(), error: null, loaded: true, elsewhere: r.data.elsewhere });
      else setLive((l) => ({ ...l, error: r.error.message }));
    };
    void poll();
    const p = setInterval(() => void poll(), POLL_MS);
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      stopped = true;
      clearInterval(p);
      clearInterval(t);
    };
  }, []);
  return { ...live, now: now + live.skewMs };
}

const TONE: Record<Tone, string> = {
  ok: 'bg-ok-bg text-ok border-ok',
  warn: 'bg-warn-bg text-warn border-warn',
  bad: 'bg-bad-bg text-bad border-bad',
  idle: 'bg-idle-bg text-muted border-border',
};

export function StateBadge({ tone, text, testId }: { tone: Tone; text: string; testId?: string }) {
  return (
    <span className={cn('inline-flex items-center gap-2 rounded-2xl border px-3 py-1 text-sm font-semibold leading-snug', TONE[tone])} data-testid={testId} data-tone={tone}>
      <span aria-hidden="true" className="size-2.5 shrink-0 rounded-full bg-current" />
      {text}
    </span>
  );
}
