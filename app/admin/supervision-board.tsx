'use client';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { AdminSnapshot, AgentView, CallView, ClientEvents, ServerEvents } from '@/server/contracts/socket-events';
import type { AdminCallRow } from '@/server/contracts/web-api';
import { AgentBadge } from '../_components/agent-badge';
import { api } from '../_lib/api';
import { ask } from '../_lib/cti-socket';
import { formatClock, formatDuration, useNow } from '../_lib/time';

/**
 * Live supervision: `admin:subscribe` gives a snapshot, then `admin:agent` / `admin:call`
 * replace single rows. On every (re)connection the snapshot is asked again, so a dropped
 * socket never leaves a stale board. Stored history comes from the JSON API.
 */
type PbSocket = Socket<ServerEvents, ClientEvents>;
type Link = { kind: 'connecting' } | { kind: 'live' } | { kind: 'down'; reason: string };

const MAX_CALLS = 200;

const CALL_STATUS: Record<CallView['status'], string> = { queued: 'Waiting', offering: 'Ringing operator', connected: 'Connected', ended: 'Ended' };

export function SupervisionBoard() {
  const now = useNow(1000);
  const [link, setLink] = useState<Link>({ kind: 'connecting' });
  const [error, setError] = useState<string | null>(null);
  const [agents, setAgents] = useState<Map<string, AgentView>>(new Map());
  const [calls, setCalls] = useState<Map<string, CallView>>(new Map());
  const [history, setHistory] = useState<AdminCallRow[] | null>(null);
  const [historyError, setHistoryError] = useState<string | null>(null);

  useEffect(() => {
    const socket: PbSocket = io({ withCredentials: true });
    const subscribe = () =>
      void ask(socket, 'admin:subscribe', {}).then((res) => {
        if (!res.ok) return setError(res.error.message);
        setError(null);
        setLink({ kind: 'live' });
        applySnapshot(res.data);
      });
    const applySnapshot = (s: AdminSnapshot) => {
      setAgents(new Map(s.agents.map((a) => [a.operatorId, a])));
      setCalls(new Map(s.calls.map((c) => [c.callId, c])));
    };
    socket.on('connect', subscribe);
    socket.on('disconnect', (reason) => setLink({ kind: 'down', reason }));
    socket.on('connect_error', (err) => setLink({ kind: 'down', reason: err.message }));
    socket.on('admin:agent', (a) => setAgents((m) => new Map(m).set(a.operatorId, a)));
    socket.on('admin:call', (c) =>
      setCalls((m) => {
        const next = new Map(m).set(c.callId, c);
        if (next.size > MAX_CALLS) {
          const oldest = [...next.values()].filter((x) => x.status === 'ended').sort((a, b) => a.arrivedAt - b.arrivedAt)[0];
          if (oldest) next.delete(oldest.callId);
        }
        return next;
      }),
    );
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, []);

  const loadHistory = useCallback(async () => {
    const r = await api<AdminCallRow[]>('/api/admin/calls?limit=50');
    if (r.ok) {
      setHistory(r.data);
      setHistoryError(null);
    } else setHistoryError(r.error.message);
  }, []);

  useEffect(() => {
    void loadHistory();
  }, [loadHistory]);

  // signed-in operators first, then the rest of the roster, each by name
  const agentList = useMemo(
    () => [...agents.values()].sort((a, b) => Number(a.state === 'offline') - Number(b.state === 'offline') || a.name.localeCompare(b.name)),
    [agents],
  );
  const callList = useMemo(() => [...calls.values()].sort((a, b) => b.arrivedAt - a.arrivedAt), [calls]);

  return (
    <>
      <main id="main" className="page wide">
        <div className="title-row">
          <h1>Supervision</h1>
          <span className={`pill ${link.kind === 'live' ? 'ok' : link.kind === 'down' ? 'bad' : 'wait'}`} data-testid="admin-link" data-state={link.kind} role="status">
            {link.kind === 'live' ? 'Live' : link.kind === 'connecting' ? 'Connecting…' : `Disconnected: ${link.reason}`}
          </span>
        </div>
        {error && (
          <p className="alert alert-error" role="alert" data-testid="admin-error">
            {error}
          </p>
        )}

        <section className="panel" aria-labelledby="ops-h">
          <h2 id="ops-h">Operators</h2>
          <div className="table-wrap">
            <table data-testid="agents-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">State</th>
                  <th scope="col">Since</th>
                  <th scope="col">Device</th>
                  <th scope="col">Current call</th>
                </tr>
              </thead>
              <tbody>
                {agentList.length === 0 && (
                  <tr>
                    <td colSpan={5} className="muted">
                      No operators yet: add people with the Operator role under People.
                    </td>
                  </tr>
                )}
                {agentList.map((a) => {
                  const c = a.callId ? calls.get(a.callId) : undefined;
                  return (
                    <tr key={a.operatorId} data-testid={`agent-row-${a.operatorId}`}>
                      <td>{a.name}</td>
                      <td>
                        <AgentBadge state={a.state} testId={`agent-state-${a.operatorId}`} />
                      </td>
                      <td className="num">{a.since === 0 ? <span className="muted">never signed in</span> : formatDuration(now - a.since)}</td>
                      <td>{a.device ?? <span className="muted">none</span>}</td>
                      <td>{a.callId ? (c ? `${c.callerName || c.callerUri} (${c.dialed})` : a.callId) : <span className="muted">—</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>

        <section className="panel" aria-labelledby="calls-h">
          <h2 id="calls-h">Calls (live)</h2>
          <div className="table-wrap">
            <table data-testid="calls-table">
              <thead>
                <tr>
                  <th scope="col">Arrived</th>
                  <th scope="col">Caller</th>
                  <th scope="col">Number</th>
                  <th scope="col">Queue</th>
                  <th scope="col">Status</th>
                  <th scope="col">Operator</th>
                  <th scope="col">Waited</th>
                  <th scope="col">Talk</th>
                  <th scope="col">Ended by</th>
                  <th scope="col">
                    <span className="visually-hidden">Timeline</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {callList.length === 0 && (
                  <tr>
                    <td colSpan={10} className="muted">
                      No calls since the board opened.
                    </td>
                  </tr>
                )}
                {callList.map((c) => {
                  const waitedEnd = c.answeredAt ?? c.endedAt ?? now;
                  return (
                    <tr key={c.callId} data-testid={`call-row-${c.callId}`} data-status={c.status}>
                      <td className="num">{formatClock(c.arrivedAt)}</td>
                      <td>
                        {c.callerName || <span className="muted">unknown</span>}
                        <div className="mono small muted">{c.callerUri}</div>
                      </td>
                      <td className="mono">{c.dialed}</td>
                      <td>{c.queue ?? '—'}</td>
                      <td>
                        <span className={`badge call-${c.status}`} data-testid={`call-status-${c.callId}`}>
                          {CALL_STATUS[c.status]}
                        </span>
                      </td>
                      <td>{c.operatorName ?? '—'}</td>
                      <td className="num">{formatDuration(waitedEnd - c.arrivedAt)}</td>
                      <td className="num">{c.answeredAt ? formatDuration((c.endedAt ?? now) - c.answeredAt) : '—'}</td>
                      <td data-testid={`call-ended-by-${c.callId}`}>{c.endedBy ?? '—'}</td>
                      <td>
                        <a href={`/admin/calls/${encodeURIComponent(c.callId)}`} data-testid={`call-timeline-${c.callId}`}>
                          Timeline
                        </a>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>

        <section className="panel" aria-labelledby="hist-h">
          <div className="title-row">
            <h2 id="hist-h">Call history (stored)</h2>
            <button type="button" className="btn btn-quiet" onClick={() => void loadHistory()} data-testid="history-refresh">
              Refresh
            </button>
          </div>
          {historyError && (
            <p className="alert alert-error" role="alert" data-testid="history-error">
              {historyError}
            </p>
          )}
          <div className="table-wrap">
            <table data-testid="history-table">
              <thead>
                <tr>
                  <th scope="col">Arrived</th>
                  <th scope="col">Caller</th>
                  <th scope="col">Number</th>
                  <th scope="col">Queue</th>
                  <th scope="col">Operator</th>
                  <th scope="col">Waited</th>
                  <th scope="col">Talk</th>
                  <th scope="col">Ended by</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">
                    <span className="visually-hidden">Timeline</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {history?.length === 0 && (
                  <tr>
                    <td colSpan={10} className="muted">
                      No calls stored yet.
                    </td>
                  </tr>
                )}
                {history?.map((c) => (
                  <tr key={c.id} data-testid={`history-row-${c.id}`}>
                    <td className="num">{new Date(c.arrivedAt).toLocaleString()}</td>
                    <td className="mono small">{c.callerId}</td>
                    <td className="mono">{c.dialed}</td>
                    <td>{c.queue ?? '—'}</td>
                    <td>{c.operatorName ?? '—'}</td>
                    <td className="num">{c.answeredAt || c.endedAt ? formatDuration((c.answeredAt ?? c.endedAt ?? c.arrivedAt) - c.arrivedAt) : '—'}</td>
                    <td className="num">{c.answeredAt && c.endedAt ? formatDuration(c.endedAt - c.answeredAt) : '—'}</td>
                    <td>{c.endedBy ?? '—'}</td>
                    <td>{c.outcome ?? '—'}</td>
                    <td>
                      <a href={`/admin/calls/${encodeURIComponent(c.id)}`} data-testid={`history-timeline-${c.id}`}>
                        Timeline
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </main>
    </>
  );
}
