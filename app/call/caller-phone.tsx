'use client';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CallConfig } from '@/server/contracts/web-api';
import { AudioStatsPanel } from '../_components/audio-stats';
import { SiteHeader } from '../_components/site-header';
import { api } from '../_lib/api';
import { randomHex } from '../_lib/sip';
import { formatDuration, useNow } from '../_lib/time';
import { useSipDevice } from '../_lib/use-sip-device';

/**
 * The public caller: the shared sip.js phone (use-sip-device) with a throw-away identity
 * `caller-<hex>` (the typed name is only its display name), no registration, one INVITE to the
 * chosen number at the ACD.
 * The ACD answers at once and plays hold music until an operator is bridged in.
 */
type Status =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'ringing' }
  | { kind: 'holding' }
  | { kind: 'connected' }
  | { kind: 'ended'; text: string }
  | { kind: 'failed'; text: string };

const STATUS_TEXT: Record<Status['kind'], string> = {
  idle: 'Ready to call',
  connecting: 'Connecting…',
  ringing: 'Ringing…',
  holding: 'You are on hold — you hear music until an operator answers',
  connected: 'Connected to an operator',
  ended: 'Call ended',
  failed: 'The call could not be placed',
};

/** Keep the display name a plain short string (it travels in a quoted SIP header). */
function cleanName(name: string): string {
  return name.replace(/["\\\r\n]/g, '').trim().slice(0, 40);
}

/** A refusal in words a caller understands (the status code stays for support, in brackets). */
function refusedText(code: number): string {
  if (code === 486 || code === 600) return `All our lines are busy. Please try again in a few minutes. (${code})`;
  if (code === 480 || code === 408) return `Nobody can take your call right now. Please try again later. (${code})`;
  if (code === 404 || code === 484 || code === 604) return `This number cannot be reached. (${code})`;
  return `The call was refused. (${code})`;
}

export function CallerPhone() {
  const now = useNow(1000);
  const [config, setConfig] = useState<CallConfig | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [number, setNumber] = useState('');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const device = useSipDevice({
    onRinging: () => setStatus((p) => (p.kind === 'connecting' ? { kind: 'ringing' } : p)),
    onEstablished: () => setStatus({ kind: 'holding' }),
    // The ACD may tell the caller when an operator is bridged in (or the caller is parked again).
    onInfo: (info) => {
      const state = info.request.getHeader('X-PB-State');
      if (state === 'bridged') setStatus({ kind: 'connected' });
      else if (state === 'parked') setStatus({ kind: 'holding' });
    },
    onRejected: (code) => setStatus({ kind: 'failed', text: refusedText(code) }),
    onLost: () => setStatus({ kind: 'ended', text: 'The connection was lost. Please call again.' }),
    onEnded: (end) =>
      setStatus((prev) =>
        prev.kind === 'failed' || prev.kind === 'ended'
          ? prev
          : { kind: 'ended', text: end.local ? 'You hung up.' : prev.kind === 'connecting' || prev.kind === 'ringing' ? 'The call could not be connected. Please try again.' : 'The call was ended by us. Thank you for calling.' },
      ),
  });
  const since = device.session?.establishedAt ?? null;

  useEffect(() => {
    let live = true;
    void api<CallConfig>('/api/public/call-config').then((r) => {
      if (!live) return;
      if (r.ok) {
        setConfig(r.data);
        setNumber(r.data.numbers[0]?.e164 ?? '');
      } else setConfigError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, []);

  const { call: dial } = device;
  const call = useCallback(
    async (e: FormEvent<HTMLFormElement>) => {
      e.preventDefault();
      if (!config || !number || device.session) return;
      setStatus({ kind: 'connecting' });
      const display = cleanName(name);
      const r = await dial({
        wsUrl: config.wsUrl,
        from: `sip:caller-${randomHex(8)}@${config.domain}`,
        to: `sip:${number}@${config.domain}`,
        ...(display ? { displayName: display } : {}),
      });
      if (r.ok) return;
      if (r.reason === 'invalid') setStatus({ kind: 'failed', text: 'The number is not valid.' });
      else if (r.reason === 'unreachable') setStatus({ kind: 'failed', text: 'Our switchboard cannot be reached right now. Please try again later.' });
      else setStatus({ kind: 'failed', text: 'The call could not be placed. Please try again.' });
    },
    [config, name, number, dial, device.session],
  );

  const inCall = status.kind === 'connecting' || status.kind === 'ringing' || status.kind === 'holding' || status.kind === 'connected';
  const tone = status.kind === 'connected' ? 'ok' : status.kind === 'failed' ? 'bad' : inCall ? 'wait' : 'idle';

  return (
    <>
      <SiteHeader />
      <main id="main" className="page narrow">
        <h1>Call us</h1>
        <p className="lead">Speak to one of our operators from this browser. Your microphone is used for the call only.</p>
        {configError && (
          <p className="alert alert-error" role="alert" data-testid="call-config-error">
            {configError}
          </p>
        )}
        <form className="form" onSubmit={call} data-testid="caller-form">
          <div className="field">
            <label htmlFor="caller-name">Your name</label>
            <input id="caller-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={40} autoComplete="name" disabled={inCall} data-testid="caller-name" />
          </div>
          <div className="field">
            <label htmlFor="caller-number">Number</label>
            <select id="caller-number" value={number} onChange={(e) => setNumber(e.target.value)} disabled={inCall || !config} data-testid="caller-number">
              {config?.numbers.map((n) => (
                <option key={n.e164} value={n.e164}>
                  {n.e164} — {n.queue}
                </option>
              ))}
            </select>
          </div>
          <div className="btn-row big">
            <button type="submit" className="btn btn-answer" disabled={inCall || !config || !number} data-testid="call-start">
              Call
            </button>
            <button type="button" className="btn btn-hangup" onClick={() => void device.hangUp()} disabled={!inCall} data-testid="call-hangup">
              Hang up
            </button>
          </div>
        </form>
        <section className={`panel caller-status tone-${tone}`} aria-label="Call status">
          <p role="status" aria-live="polite" data-testid="call-status" data-state={status.kind}>
            <strong>{STATUS_TEXT[status.kind]}</strong>
            {since && inCall && <span className="muted" data-testid="call-duration"> · {formatDuration(now - since)}</span>}
          </p>
          {(status.kind === 'ended' || status.kind === 'failed') && <p data-testid="call-status-detail">{status.text}</p>}
          <AudioStatsPanel pc={device.pc} />
          <audio ref={device.remoteAudioRef} autoPlay data-testid="remote-audio" />
        </section>
      </main>
    </>
  );
}
