'use client';
import { useState } from 'react';
import type { AgentView } from '@/server/contracts/socket-events';
import { ask, type CtiSocket } from '../_lib/cti-socket';
import { formatPhone } from '../_lib/phone-format';

/** Why the operator cannot call out now (null: they can). */
function whyNot(agent: AgentView | null, connected: boolean): string | null {
  if (!connected) return 'Not connected to the server';
  if (!agent || agent.state === 'offline') return 'Sign in first';
  if (!agent.device) return 'Choose where you take calls first';
  if (agent.state === 'reserved' || agent.state === 'talking') return 'Finish the call you are on first';
  return null;
}

/**
 * Click-to-dial: the operator types a number in international form and presses Call. The number
 * rings first; when it answers, the operator's own phone rings (this browser answers by itself,
 * because the operator just asked for the call). Only numbers the administrator allows can be
 * called; a refused number says so under the field.
 */
export function DialPad({ socket, agent, connected, onDialled }: { socket: CtiSocket | null; agent: AgentView | null; connected: boolean; onDialled(): void }) {
  const [number, setNumber] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [calling, setCalling] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const why = whyNot(agent, connected);
  const dial = async () => {
    setBusy(true);
    setError(null);
    const r = await ask(socket, 'call:dial', { number });
    setBusy(false);
    if (!r.ok) {
      setCalling(null);
      setError(r.error.fields?.number ?? r.error.message);
      return;
    }
    setCalling(r.data.dialed);
    onDialled();
  };
  const onCall = agent?.state === 'reserved' || agent?.state === 'talking';
  return (
    <form
      className="dial-pad"
      aria-labelledby="dial-h"
      onSubmit={(e) => {
        e.preventDefault();
        if (!why && !busy) void dial();
      }}
      data-testid="dial-pad"
    >
      <h2 id="dial-h">Call a number</h2>
      <label htmlFor="dial-number">Number, with the country code</label>
      <div className="dial-row">
        <input
          id="dial-number"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          placeholder="+44 7700 900123"
          value={number}
          onChange={(e) => setNumber(e.target.value)}
          aria-invalid={!!error}
          aria-describedby={error ? 'dial-error' : undefined}
          data-testid="dial-number"
        />
        <button type="submit" className="btn btn-answer" disabled={!!why || busy || number.trim() === ''} title={why ?? (number.trim() === '' ? 'Type a number first' : busy ? 'Calling…' : 'Call this number')} data-testid="dial-call">
          Call
        </button>
      </div>
      {error && (
        <p id="dial-error" className="field-error" role="alert" data-testid="dial-error">
          {error}
        </p>
      )}
      {calling && onCall && (
        <p className="muted" role="status" data-testid="dial-status">
          {agent?.state === 'talking' ? `On the call to ${formatPhone(calling)}.` : `Calling ${formatPhone(calling)} — your phone rings when they answer.`}
        </p>
      )}
    </form>
  );
}
