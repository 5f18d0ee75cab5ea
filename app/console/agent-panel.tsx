'use client';
import { useState } from 'react';
import type { CodeOption } from '@/server/contracts/call-work';
import type { AgentView } from '@/server/contracts/socket-events';
import { AgentBadge } from '../_components/agent-badge';
import { formatDuration } from '../_lib/time';
import type { AlertPermission } from './use-offer-alert';

/**
 * "My state": the CTI's view of this operator (with why they are not ready), Ready, and Not ready
 * — which asks for a reason from the admin's list first, when there is one.
 */
export function AgentPanel(props: {
  agent: AgentView | null;
  now: number;
  error: string | null;
  connected: boolean;
  reasons: CodeOption[];
  alerts: AlertPermission;
  /** why this browser cannot take a call now (its line is down); null when it can */
  lineDownWhy: string | null;
  onReady: () => void;
  onNotReady: (code?: string) => void;
}) {
  const { agent, now } = props;
  const [picking, setPicking] = useState(false);
  const [choice, setChoice] = useState<string | null>(null);
  // while a call rings or is up the CTI refuses state changes: don't offer them
  const onCall = agent?.state === 'reserved' || agent?.state === 'talking';
  const disabled = !props.connected || onCall;
  // a disabled control says why (its tooltip)
  const why = !props.connected ? 'Not connected to the call center: this comes back by itself in a moment' : onCall ? 'You can change your state when this call is over' : undefined;
  const readyWhy = why ?? (agent?.state === 'ready' ? 'You are already Ready' : (props.lineDownWhy ?? undefined));
  const notReadyWhy = why ?? (agent?.state === 'not_ready' ? 'You are already Not ready: press Ready to take calls' : undefined);
  const notReady = () => {
    if (props.reasons.length === 0) props.onNotReady();
    else {
      setChoice(agent?.notReady?.code ?? null);
      setPicking(true);
    }
  };
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
      {agent?.state === 'not_ready' && agent.notReady && agent.notReady.cause !== 'signed_in' && (
        <p className="agent-reason" data-testid="agent-reason" data-cause={agent.notReady.cause}>
          {agent.notReady.cause === 'supervisor' ? <strong>{agent.notReady.label}</strong> : <>Reason: <strong>{agent.notReady.label}</strong></>}
        </p>
      )}
      <div className="btn-row">
        <button type="button" className="btn btn-ready" onClick={props.onReady} disabled={!!readyWhy} title={readyWhy ?? 'Take calls from your queues'} data-testid="agent-ready">
          Ready
        </button>
        <button type="button" className="btn btn-notready" onClick={notReady} disabled={!!notReadyWhy || picking} title={notReadyWhy ?? 'Stop new calls reaching you'} aria-expanded={picking} data-testid="agent-not-ready">
          Not ready…
        </button>
      </div>
      {picking && (
        <form
          className="reason-picker"
          data-testid="reason-picker"
          onSubmit={(e) => {
            e.preventDefault();
            if (!choice) return;
            setPicking(false);
            props.onNotReady(choice);
          }}
        >
          <fieldset>
            <legend>Why are you stepping away?</legend>
            {props.reasons.map((r) => (
              <label key={r.code} className="reason-option">
                <input type="radio" name="reason" value={r.code} checked={choice === r.code} onChange={() => setChoice(r.code)} data-testid={`reason-${r.code}`} />
                {r.label}
              </label>
            ))}
          </fieldset>
          <div className="btn-row">
            <button type="submit" className="btn btn-notready" disabled={!choice} title={choice ? 'No new calls until you press Ready' : 'Choose a reason first'} data-testid="reason-confirm">
              Set Not ready
            </button>
            <button type="button" className="btn btn-quiet" onClick={() => setPicking(false)} data-testid="reason-cancel">
              Cancel
            </button>
          </div>
        </form>
      )}
      {props.error && (
        <p className="alert alert-error" role="alert" data-testid="agent-error">
          {props.error}
        </p>
      )}
      {props.alerts === 'denied' && (
        <p className="muted small" data-testid="alerts-denied">
          Desktop alerts are blocked for this site: a call rings and changes this tab’s title only. To see alerts over other windows, allow notifications for this site in the browser’s settings.
        </p>
      )}
    </>
  );
}
