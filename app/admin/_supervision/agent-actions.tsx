'use client';
import { useState } from 'react';
import type { AgentView } from '@/server/contracts/socket-events';
import { ask, type CtiSocket } from '../../_lib/cti-socket';

/** Why "Set Not ready" cannot be used on this operator now (null: it can). */
function notReadyWhy(a: AgentView): string | null {
  if (a.state === 'offline') return 'Not signed in';
  if (a.state === 'not_ready') return 'Already Not ready';
  if (a.state === 'reserved' || a.state === 'talking') return 'On a call: try when it ends';
  return null;
}

function signOutWhy(a: AgentView): string | null {
  if (a.state === 'offline') return 'Not signed in';
  if (a.state === 'reserved' || a.state === 'talking') return 'On a call: sign them out when it ends';
  return null;
}

/** A supervisor's actions on one operator: force Not ready (their console says a supervisor did), sign out. */
export function AgentActions({ socket, agent, onError }: { socket: CtiSocket | null; agent: AgentView; onError: (message: string | null) => void }) {
  const [busy, setBusy] = useState(false);
  const act = async (event: 'supervisor:not-ready' | 'supervisor:sign-out') => {
    setBusy(true);
    const r = await ask(socket, event, { operatorId: agent.operatorId });
    setBusy(false);
    onError(r.ok ? null : `${agent.name}: ${r.error.message}`);
  };
  const nr = busy ? 'Working…' : notReadyWhy(agent);
  const so = busy ? 'Working…' : signOutWhy(agent);
  return (
    <div className="btn-row tight">
      <button type="button" className="btn btn-quiet btn-small" disabled={!!nr} title={nr ?? 'No new calls reach them until they press Ready'} onClick={() => void act('supervisor:not-ready')} data-testid={`agent-force-not-ready-${agent.operatorId}`}>
        Set Not ready
      </button>
      <button
        type="button"
        className="btn btn-quiet btn-small"
        disabled={!!so}
        title={so ?? 'Close their console; they can sign in again'}
        onClick={() => {
          if (window.confirm(`Sign ${agent.name} out of the console?`)) void act('supervisor:sign-out');
        }}
        data-testid={`agent-sign-out-${agent.operatorId}`}
      >
        Sign out
      </button>
    </div>
  );
}
