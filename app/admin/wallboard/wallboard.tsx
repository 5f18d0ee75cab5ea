'use client';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { DeviceKind } from '@/server/contracts/agent';
import { numberFromUri } from '@/server/contracts/call-work';
import { AgentBadge } from '../../_components/agent-badge';
import { Button } from '../../_components/ui/button';
import { cn } from '../../_components/ui/cn';
import { formatPhone } from '../../_lib/phone-format';
import { formatDuration, useNow } from '../../_lib/time';
import { CallQualityCell } from './call-quality-cell';
import { QueueTile } from './queue-tile';
import { tileAlerts } from './tile-alerts';
import { useAlertNotifications } from './use-notifications';
import { useWallboard } from './use-wallboard';

const DEVICE_TEXT: Record<DeviceKind, string> = { browser: 'Browser', mobile: 'Mobile', sip_phone: 'SIP phone' };

/**
 * The live wallboard: a tile per queue (figures of today in the site's time zone, formulas in
 * docs/wallboard.md), red when one of the queue's alerts is met, and the operator roster. Full
 * screen for a wall TV: the Fullscreen API on the board, with larger type.
 */
export function Wallboard() {
  const now = useNow(1000);
  const { link, error, tiles, agents, calls } = useWallboard();
  const board = useRef<HTMLDivElement>(null);
  const [full, setFull] = useState(false);
  const [fullError, setFullError] = useState<string | null>(null);

  useEffect(() => {
    const on = () => setFull(document.fullscreenElement === board.current);
    document.addEventListener('fullscreenchange', on);
    return () => document.removeEventListener('fullscreenchange', on);
  }, []);

  const toggleFull = async () => {
    setFullError(null);
    try {
      if (document.fullscreenElement) await document.exitFullscreen();
      else await board.current?.requestFullscreen();
    } catch {
      setFullError('This browser did not allow full screen here. Try the browser’s own full-screen key (F11).');
    }
  };

  const red = useMemo(() => {
    const m = new Map<string, { name: string; reasons: string[] }>();
    for (const t of tiles ?? []) {
      const reasons = tileAlerts(t, now);
      if (reasons.length) m.set(t.queueId, { name: t.name, reasons });
    }
    return m;
  }, [tiles, now]);
  const notify = useAlertNotifications(red);

  const roster = useMemo(() => [...agents.values()].filter((a) => a.state !== 'offline').sort((a, b) => a.name.localeCompare(b.name)), [agents]);
  const offline = agents.size - roster.length;

  return (
    <main id="main" className="page wide">
      <div className="title-row flex-wrap gap-2">
        <h1>Wallboard</h1>
        <span className={`pill ${link.kind === 'live' ? 'ok' : link.kind === 'down' ? 'bad' : 'wait'}`} data-testid="wallboard-link" data-state={link.kind} role="status">
          {link.kind === 'live' ? 'Live' : link.kind === 'connecting' ? 'Connecting…' : `Disconnected: ${link.reason}`}
        </span>
        <div className="ml-auto flex flex-wrap items-center gap-2">
          <NotifyControl state={notify.state} onAsk={() => void notify.ask()} />
          <Button type="button" onClick={() => void toggleFull()} data-testid="wallboard-fullscreen">
            {full ? 'Leave full screen' : 'Full screen'}
          </Button>
        </div>
      </div>
      {fullError && <p className="alert alert-error">{fullError}</p>}
      {error && (
        <p className="alert alert-error" role="alert" data-testid="wallboard-error">
          {error}
        </p>
      )}

      <div ref={board} className={cn('grid grid-cols-[minmax(0,1fr)] gap-4', full && 'overflow-auto bg-bg p-6')} data-testid="wallboard-board" data-fullscreen={full ? 'yes' : 'no'}>
        {full && (
          // only the board is on screen in full screen: its own way out (Esc works too)
          <div className="flex items-center justify-between gap-4">
            <p className="m-0 text-3xl font-semibold">{new Date(now).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</p>
            <Button type="button" onClick={() => void toggleFull()} data-testid="wallboard-leave-fullscreen">
              Leave full screen (Esc)
            </Button>
          </div>
        )}
        {tiles === null ? (
          <p className="muted">Loading the queues…</p>
        ) : tiles.length === 0 ? (
          <p className="muted" data-testid="wallboard-empty">
            No queues yet: add one under Queues, and its figures appear here.
          </p>
        ) : (
          <div className={cn('grid gap-4', full ? 'grid-cols-[repeat(auto-fit,minmax(28rem,1fr))]' : 'grid-cols-[repeat(auto-fit,minmax(min(100%,22rem),1fr))]')}>
            {tiles.map((t) => (
              <QueueTile key={t.queueId} t={t} now={now} reasons={red.get(t.queueId)?.reasons ?? []} big={full} />
            ))}
          </div>
        )}

        <section className="panel" aria-labelledby="roster-h">
          <h2 id="roster-h" className={cn(full && 'text-3xl')}>
            Operators
          </h2>
          {roster.length === 0 ? (
            <p className="muted" data-testid="wallboard-roster-empty">
              Nobody is signed in{offline > 0 ? ` (${offline} operator${offline === 1 ? '' : 's'} signed out)` : ''}. Operators appear here when they open the console.
            </p>
          ) : (
            <div className="table-wrap">
              <table data-testid="wallboard-roster" className={cn(full && 'text-2xl')}>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">State</th>
                    <th scope="col">For</th>
                    <th scope="col">Current call</th>
                    <th scope="col">Device</th>
                    <th scope="col">Call quality</th>
                  </tr>
                </thead>
                <tbody>
                  {roster.map((a) => {
                    const c = a.callId ? calls.get(a.callId) : undefined;
                    return (
                      <tr key={a.operatorId} data-testid={`wallboard-agent-${a.operatorId}`}>
                        <td>{a.name}</td>
                        <td>
                          <AgentBadge state={a.state} testId={`wallboard-agent-state-${a.operatorId}`} />
                          {a.notReady && <span className="block text-sm text-muted">{a.notReady.label}</span>}
                        </td>
                        <td className="num" data-testid={`wallboard-agent-since-${a.operatorId}`}>
                          {formatDuration(now - a.since)}
                        </td>
                        <td>{c ? `${c.callerName || callerLine(c.callerUri)}${c.queue ? ` · ${c.queue}` : ''}` : <span className="muted">—</span>}</td>
                        <td>{a.device ? DEVICE_TEXT[a.device] : <span className="muted">none chosen</span>}</td>
                        <td>
                          <CallQualityCell call={c} testId={`wallboard-agent-quality-${a.operatorId}`} />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </main>
  );
}

function NotifyControl({ state, onAsk }: { state: ReturnType<typeof useAlertNotifications>['state']; onAsk: () => void }) {
  if (state === 'granted') return <span className="text-sm text-muted" data-testid="wallboard-notify">Notifications on</span>;
  if (state === 'unsupported') return <span className="text-sm text-muted" data-testid="wallboard-notify">This browser cannot show notifications; red tiles still show alerts.</span>;
  if (state === 'denied')
    return (
      <span className="max-w-sm text-sm text-muted" data-testid="wallboard-notify">
        Notifications are blocked for this site, so alerts show only as red tiles. Allow them in the browser’s site settings (the icon left of the address).
      </span>
    );
  return (
    <Button type="button" variant="secondary" onClick={onAsk} data-testid="wallboard-notify">
      Turn on notifications
    </Button>
  );
}

function callerLine(uri: string): string {
  const n = numberFromUri(uri);
  return n ? formatPhone(n) : 'from the website';
}
