'use client';
import type { AgentView } from '@/server/contracts/socket-events';
import { AgentBadge } from '../_components/agent-badge';
import { formatDuration } from '../_lib/time';

/** "My state": the CTI's view of this operator, and the two buttons that ask it to change. */
export function AgentPanel(props: { agent: AgentView | null; now: number; error: string | null; connected: boolean; onReady: (ready: boolean) => void }) {
  const { agent, now } = props;
  // while a call rings or is up the CTI refuses state changes: don't offer them
  const onCall = agent?.state === 'reserved' || agent?.state === 'talking';
  const disabled = !props.connected || onCall;
  // a disabled control says why (its tooltip)
  const why = !props.connected ? 'Not connected to the call center: this comes back by itself in a moment' : onCall ? 'You can change your state when this call is over' : undefined;
  return (
    <>
      <h2 id="agent-h">My state</h2>
      <div className="agent-state">
        <AgentBadge state={agent?.state ?? 'offline'} testId="agent-state" />
        {agent && (
          <span className="muted" data-testid="agent-since">
            for {formatDuration(now - agent.since)}
          </span>
        )}
      </div>
      <div className="btn-row">
        <button type="button" className="btn btn-ready" onClick={() => props.onReady(true)} disabled={disabled} title={why ?? 'Take calls from your queues'} data-testid="agent-ready">
          Ready
        </button>
        <button type="button" className="btn btn-notready" onClick={() => props.onReady(false)} disabled={disabled} title={why ?? 'Stop new calls reaching you'} data-testid="agent-not-ready">
          Not ready
        </button>
      </div>
      {props.error && (
        <p className="alert alert-error" role="alert" data-testid="agent-error">
          {props.error}
        </p>
      )}
    </>
  );
}
