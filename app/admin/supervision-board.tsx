'use client';
import type { DeviceKind } from '@/server/contracts/agent';
import { useEffect, useMemo, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { AdminSnapshot, AgentView, CallView, ClientEvents, ServerEvents } from '@/server/contracts/socket-events';
import { numberFromUri } from '@/server/contracts/call-work';
import { AgentBadge } from '../_components/agent-badge';
import { formatPhone } from '../_lib/phone-format';
import { ask } from '../_lib/cti-socket';
import { formatClock, formatDuration, useNow } from '../_lib/time';
import { AgentActions } from './_supervision/agent-actions';
import { MonitorButtons, MonitorPanel } from './_supervision/monitor-panel';
import { useMonitor } from './_supervision/use-monitor';

const DEVICE_TEXT: Record<DeviceKind, string> = { browser: 'Browser', mobile: 'Mobile', sip_phone: 'SIP phone' };

/**
 * Live supervision: `admin:subscribe` gives a snapshot, then `admin:agent` / `admin:call`
 * replace single rows. On every (re)connection the snapshot is asked again, so a dropped
 * socket never leaves a stale board. Stored calls are on the history page (/admin/calls).
 */
type PbSocket = Socket<ServerEvents, ClientEvents>;
type Link = { kind: 'connecting' } | { kind: 'live' } | { kind: 'down'; reason: string };

const MAX_CALLS = 200;

const CALL_STATUS: Record<CallView['status'], string> = { queued: 'Waiting', offering: 'Ringing operator', announcing: 'Hearing a message', forwarding: 'Forwarding', connected: 'Connected', held: 'On hold', ended: 'Ended' };
/** A queued callback's caller is not on the line: say so rather than "Waiting". */
function callStatusText(c: CallView): string {
  if (c.callback && c.status === 'queued') return 'Callback waiting';
  if (c.callback && c.status === 'offering') return 'Calling back';
  return CALL_STATUS[c.status];
}

export function SupervisionBoard() {
  const now = useNow(1000);
  const [link, setLink] = useState<Link>({ kind: 'connecting' });
  const [error, setError] = useState<string | null>(null);
  const [agents, setAgents] = useState<Map<string, AgentView>>(new Map());
  const [calls, setCalls] = useState<Map<string, CallView>>(new Map());
  const [socket, setSocket] = useState<PbSocket | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const monitoring = useMonitor(socket);

  useEffect(() => {
    const socket: PbSocket = io({ withCredentials: true });
    setSocket(socket);
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
    socket.on('connect', () => {
      setSocket(socket);
      subscribe();
    });
    socket.on('disconnect', (reason) => setLink({ kind: 'down', reason }));
    socket.on('connect_error', (err) => setLink({ kind: 'down', reason: err.message }));
    socket.on('admin:agents', (list) =>
      setAgents((m) => {
        const next = new Map(m);
        for (const a of list) next.set(a.operatorId, a);
        return next;
      }),
    );
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

        <MonitorPanel m={monitoring} callerOf={(id) => { const c = calls.get(id); return c ? c.callerName || c.dialed : 'the call'; }} connected={callList.filter((c) => c.status === 'connected')} />

        <section className="panel" aria-labelledby="ops-h">
          <h2 id="ops-h">Operators</h2>
          {actionError && (
            <p className="alert alert-error" role="alert" data-testid="agent-action-error">
              {actionError}
            </p>
          )}
          <div className="table-wrap">
            <table data-testid="agents-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">State</th>
                  <th scope="col">Since</th>
                  <th scope="col">Device</th>
                  <th scope="col">Current call</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {agentList.length === 0 && (
                  <tr>
                    <td colSpan={6} className="muted">
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
                      <td>{a.device ? DEVICE_TEXT[a.device] : <span className="muted">none</span>}</td>
                      <td>{a.callId ? (c ? `${c.callerName || callerLine(c.callerUri)} (${formatPhone(c.dialed)})` : a.callId) : <span className="muted">—</span>}</td>
                      <td>
                        <AgentActions socket={socket} agent={a} onError={setActionError} />
                      </td>
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
                  <th scope="col">Listen in</th>
                  <th scope="col">
                    <span className="visually-hidden">Timeline</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {callList.length === 0 && (
                  <tr>
                    <td colSpan={11} className="muted">
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
                        <div className="small muted">{callerLine(c.callerUri)}</div>
                      </td>
                      <td className="mono">{c.dialed}</td>
                      <td>{c.queue ?? '—'}</td>
                      <td>
                        <span className={`badge call-${c.status}`} data-testid={`call-status-${c.callId}`}>
                          {callStatusText(c)}
                        </span>
                      </td>
                      <td data-testid={`call-operator-${c.callId}`}>{c.operatorName ?? (c.forwardedTo ? <span title="Transferred or forwarded out: no operator is on the call any more">Outside number {c.forwardedTo}</span> : '—')}</td>
                      <td className="num">{formatDuration(waitedEnd - c.arrivedAt)}</td>
                      <td className="num">{c.answeredAt ? formatDuration((c.endedAt ?? now) - c.answeredAt) : '—'}</td>
                      <td data-testid={`call-ended-by-${c.callId}`}>{c.endedBy ?? '—'}</td>
                      <td>{c.status === 'connected' ? <MonitorButtons m={monitoring} callId={c.callId} outside={!!c.forwardedTo && !c.operatorId} /> : <span className="muted">—</span>}</td>
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

        <p>
          <a href="/admin/calls" data-testid="history-link">
            Call history: every stored call, with filters and CSV →
          </a>
        </p>
      </main>
    </>
  );
}

/** Who the caller is, in words: their number when their address carries one, else how they called (never a SIP address). */
function callerLine(uri: string): string {
  const n = numberFromUri(uri);
  return n ? formatPhone(n) : 'from the website';
}
