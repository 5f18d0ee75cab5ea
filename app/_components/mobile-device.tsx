'use client';
import { useEffect, useState, type FormEvent } from 'react';
import type { Response } from '@/server/contracts/result';
import type { DeviceGrant, MobileGrant, MobileStatus } from '@/server/contracts/socket-events';
import { ask, type CtiSocket } from '../_lib/cti-socket';

/** Whose mobile: an operator's (console: calls ring on it) or a supervisor's (supervision page: monitoring rings on it). */
export type MobileOwner = 'operator' | 'supervisor';

/** The events of each owner's mobile: the same verification call, told apart so each reaches only its own person. */
function mobileApi(socket: CtiSocket | null, owner: MobileOwner) {
  return owner === 'operator'
    ? {
        status: () => ask(socket, 'agent:mobile-status', {}),
        verify: (e164: string) => ask(socket, 'agent:mobile-verify', { e164 }),
        choose: (e164: string): Promise<Response<DeviceGrant>> => ask(socket, 'agent:device', { kind: 'mobile', e164 }),
        pushed: 'agent:mobile' as const,
      }
    : {
        status: () => ask(socket, 'monitor:mobile-status', {}),
        verify: (e164: string) => ask(socket, 'monitor:mobile-verify', { e164 }),
        choose: (e164: string): Promise<Response<DeviceGrant>> => ask(socket, 'monitor:device', { kind: 'mobile', e164 }),
        pushed: 'monitor:mobile' as const,
      };
}

/** The person's mobile as the CTI knows it: asked on every (re)connection, then pushed. */
function useMobileStatus(socket: CtiSocket | null, owner: MobileOwner): [MobileStatus | null, (s: MobileStatus) => void] {
  const [status, setStatus] = useState<MobileStatus | null>(null);
  useEffect(() => {
    if (!socket) return;
    const api = mobileApi(socket, owner);
    const load = () =>
      void api.status().then((r) => {
        if (r.ok) setStatus(r.data);
      });
    socket.on('connect', load);
    socket.on(api.pushed, setStatus);
    if (socket.connected) load();
    return () => {
      socket.off('connect', load);
      socket.off(api.pushed, setStatus);
    };
  }, [socket, owner]);
  return [status, setStatus];
}

/**
 * "My mobile": the person's own number as a device. It must be verified once with a call: the
 * page shows a 4-digit code, the CTI rings the number through the carrier trunk, and they type
 * the code on the phone's keypad. Only the masked number ever comes back.
 */
export function MobileDevice(props: {
  socket: CtiSocket | null;
  /** default: the operator's console */
  owner?: MobileOwner;
  /** the number is now the device (the browser line is released by the console) */
  onChosen: (g: MobileGrant) => Promise<void>;
  disabled: boolean;
  active: boolean;
  /** why the buttons are disabled, shown as their tooltip */
  disabledWhy?: string;
}) {
  const owner = props.owner ?? 'operator';
  const [number, setNumber] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [s, setStatus] = useMobileStatus(props.socket, owner);
  const calling = s?.call === 'calling' || s?.call === 'answered';

  function shown<T>(r: Response<T>): r is { ok: true; data: T } {
    if (r.ok) {
      setFieldError(null);
      setError(null);
      return true;
    }
    const f = r.error.fields?.e164;
    setFieldError(f ?? null);
    setError(f ? null : r.error.message);
    return false;
  }

  async function verify(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    try {
      const r = await mobileApi(props.socket, owner).verify(number);
      if (shown(r)) setStatus(r.data);
    } finally {
      setBusy(false);
    }
  }

  async function use() {
    setBusy(true);
    try {
      const r = await mobileApi(props.socket, owner).choose(number);
      if (shown(r) && r.data.kind === 'mobile') await props.onChosen(r.data);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="mobile-device" data-testid="mobile-device">
      <h3>My mobile</h3>
      <form className="form" onSubmit={(e) => void verify(e)} noValidate>
        <div className="field">
          <label htmlFor="mobile-e164">Mobile number (international form)</label>
          <input
            id="mobile-e164"
            type="tel"
            inputMode="tel"
            autoComplete="tel"
            placeholder="+447700900123"
            value={number}
            onChange={(e) => setNumber(e.target.value)}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={fieldError ? 'mobile-e164-error' : undefined}
            data-testid="mobile-e164"
          />
          {fieldError && (
            <p className="field-error" id="mobile-e164-error" data-testid="mobile-e164-error">
              {fieldError}
            </p>
          )}
        </div>
        <div className="btn-row">
          <button
            type="submit"
            className="btn"
            disabled={props.disabled || busy || calling}
            title={props.disabled ? props.disabledWhy ?? 'Not connected to the server' : busy ? 'Working…' : calling ? 'The verification call is in progress' : 'Ring this number once; type the code shown here on its keypad'}
            data-testid="mobile-verify"
          >
            Call me to verify
          </button>
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => void use()}
            disabled={props.disabled || busy || !s?.verified}
            title={props.disabled ? props.disabledWhy ?? 'Not connected to the server' : busy ? 'Working…' : !s?.verified ? 'Verify the number with a call first' : owner === 'operator' ? 'Calls ring on this mobile' : 'Listening in rings this mobile'}
            data-testid="device-mobile"
          >
            {props.active ? 'Ringing my mobile' : 'Use my mobile'}
          </button>
        </div>
      </form>
      <p className="muted small" role="status" aria-live="polite" data-testid="mobile-status" data-call={s?.call ?? 'idle'} data-verified={s?.verified ? 'true' : 'false'}>
        {s?.e164Masked ? `${s.e164Masked}: ${s.verified ? 'verified' : 'not verified yet'}.` : 'No mobile number saved.'}{' '}
        {s?.call === 'calling' && 'Calling your mobile now — answer it, then type the code below on its keypad.'}
        {s?.call === 'answered' && 'You answered: type the code below on the phone’s keypad.'}
        {s?.call === 'failed' && `Verification failed: ${s.error ?? 'unknown reason'}.`}
      </p>
      {s?.code && (
        <p className="mobile-code" data-testid="mobile-code">
          Code: <strong className="mono">{s.code}</strong>
        </p>
      )}
      {error && (
        <p className="alert alert-error" role="alert" data-testid="mobile-error">
          {error}
        </p>
      )}
    </div>
  );
}
