'use client';
import { useState } from 'react';
import type { CallView } from '@/server/contracts/socket-events';
import { ask, type CtiSocket } from '../_lib/cti-socket';

/**
 * Record / Stop for a call whose queue records on demand; a plain note when the queue records
 * every call; nothing when it does not record. The state shown is the CTI's (`call:update`),
 * with whether the caller was told (the queue's "Tell the caller"; the ACD confirmed the notice).
 */
export function RecordButton({ socket, view, talking }: { socket: CtiSocket | null; view: CallView | null; talking: boolean }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mode = view && view.status !== 'ended' ? view.recording : undefined;
  const told = view?.callerTold === true;
  if (mode === 'always')
    return (
      <p className="muted small" data-testid="call-recorded-always">
        This queue records its calls.
        {told && <span data-testid="call-caller-told"> The caller was told before you were put through.</span>}
      </p>
    );
  if (mode !== 'on' && mode !== 'off') return null;
  const on = mode === 'on';
  const why = !talking ? 'You can record once you are talking to the caller' : busy ? (on ? 'Stopping the recording…' : 'Starting the recording…') : null;
  return (
    <div className="btn-row record-row" data-testid="call-record-row">
      <button
        type="button"
        className="btn btn-quiet"
        disabled={why !== null}
        title={why ?? (on ? 'Stop recording this call (what was recorded is kept)' : 'Record this call from now on')}
        aria-pressed={on}
        data-testid="call-record"
        data-recording={on ? 'on' : 'off'}
        onClick={async () => {
          setBusy(true);
          setError(null);
          const r = await ask(socket, 'call:record', { on: !on });
          setBusy(false);
          if (!r.ok) setError(r.error.message);
        }}
      >
        {on ? 'Stop recording' : 'Record'}
      </button>
      {on && (
        <span className="record-on" role="status" data-testid="call-recording-on">
          <span className="record-dot" aria-hidden="true">
            ●
          </span>{' '}
          Recording
        </span>
      )}
      {told && (
        <span className="muted small" data-testid="call-caller-told">
          The caller was told the call is being recorded.
        </span>
      )}
      {error && (
        <span className="alert alert-error small" role="alert" data-testid="call-record-error">
          {error.charAt(0).toUpperCase() + error.slice(1)}.
        </span>
      )}
    </div>
  );
}
