'use client';
import { MONITOR_MODE_WORDS, MonitorMode, type MonitorView } from '@/server/contracts/monitor';
import { useState } from 'react';
import type { CallView } from '@/server/contracts/socket-events';
import { MobileDevice } from '../../_components/mobile-device';
import { SipSettings } from '../../_components/sip-settings';
import { ringsElsewhere, type Monitoring, type PhoneState } from './use-monitor';

export const MODE_LABEL: Record<MonitorMode, string> = { listen: 'Listen', whisper: 'Whisper', barge: 'Barge' };
const MODE_HINT: Record<MonitorMode, string> = {
  listen: 'Hear the caller and the operator; nobody hears you',
  whisper: 'Coach the operator: only the operator hears you',
  barge: 'Join the conversation: the caller and the operator hear you',
};

const RINGING_WORDS: Record<MonitorView['device'], string> = {
  browser: 'Joining…',
  sip_phone: 'Your desk phone is ringing: answer it',
  mobile: 'Your mobile is ringing: answer it, and press 1 when the voice asks you to join the call',
};

function phoneWords(p: PhoneState): string {
  if (p.kind === 'desk') return 'Your desk phone';
  if (p.kind === 'mobile') return `Your mobile ${p.e164Masked}`;
  if (p.kind === 'on') return 'Your phone is on';
  return p.kind === 'starting' ? 'Turning on…' : 'Phone off';
}

/** Why a Listen / Whisper / Barge button on a call cannot be used now (null: it can). */
export function monitorWhyNot(m: Monitoring, callId: string): string | null {
  if (m.phone.kind !== 'on' && !ringsElsewhere(m.phone)) return 'Turn on your phone on this page first (above)';
  if (m.busy) return 'Working…';
  if (m.monitor && m.monitor.callId !== callId) return 'Leave the call you are on first';
  return null;
}

/**
 * The supervisor's phone and the call they monitor: turn the page's phone on, then the mode
 * buttons switch listen / whisper / barge during the call, and Leave hangs up their phone only.
 */
export function MonitorPanel({ m, callerOf, connected }: { m: Monitoring; callerOf: (callId: string) => string; connected: CallView[] }) {
  const on = m.phone.kind === 'on' || ringsElsewhere(m.phone);
  const mon = m.monitor;
  const [reveal, setReveal] = useState(false);
  const [mobileForm, setMobileForm] = useState(false);
  return (
    <section className="panel monitor-panel" aria-labelledby="mon-h" data-testid="monitor-panel">
      <div className="title-row">
        <h2 id="mon-h">Listen in</h2>
        <span className={`pill ${on ? 'ok' : m.phone.kind === 'failed' ? 'bad' : 'wait'}`} data-testid="monitor-phone" data-state={m.phone.kind}>
          {phoneWords(m.phone)}
        </span>
      </div>
      {!on && (
        <p className="muted">
          {m.phone.kind === 'failed' ? m.phone.reason : 'Turn on the phone on this page to listen to calls, coach an operator or join a call.'}{' '}
          <button type="button" className="btn btn-primary" onClick={() => void m.turnOn()} disabled={m.phone.kind === 'starting'} title={m.phone.kind === 'starting' ? 'Connecting…' : 'Use this browser (and its microphone) as your phone'} data-testid="monitor-phone-on">
            Turn on my phone
          </button>{' '}
          <button type="button" className="btn btn-quiet" onClick={() => void m.chooseDeskPhone()} disabled={m.phone.kind === 'starting'} title="Ring a desk phone or softphone instead: shows the settings to type into it" data-testid="monitor-desk-phone">
            Use a desk phone
          </button>{' '}
          <button type="button" className="btn btn-quiet" onClick={() => setMobileForm((v) => !v)} disabled={m.phone.kind === 'starting'} aria-expanded={mobileForm} title={m.phone.kind === 'starting' ? 'Connecting…' : 'Ring your own mobile instead, through the phone line; verify it once with a call'} data-testid="monitor-mobile-phone">
            Ring my mobile instead
          </button>
        </p>
      )}
      {!on && mobileForm && (
        <MobileDevice
          socket={m.socket}
          owner="supervisor"
          onChosen={async (g) => {
            setMobileForm(false);
            await m.chooseMobile(g);
          }}
          disabled={!m.socket?.connected || m.phone.kind === 'starting'}
          disabledWhy={m.phone.kind === 'starting' ? 'Connecting…' : 'Not connected to the server'}
          active={false}
        />
      )}
      {m.phone.kind === 'mobile' && !mon && (
        <p className="small" data-testid="monitor-mobile-note">
          When you choose Listen, Whisper or Barge your mobile ({m.phone.e164Masked}) rings: answer it, and press 1 when the voice asks you to join the call.{' '}
          <button type="button" className="btn btn-quiet btn-small" onClick={() => void m.turnOn()} title="Use this browser as your phone again" data-testid="monitor-phone-on">
            Use this browser instead
          </button>
        </p>
      )}
      {m.phone.kind === 'desk' && !mon && (
        <div className="sip-settings" data-testid="monitor-desk-settings">
          <p className="small">
            Type these into your desk phone or softphone. When you choose Listen, Whisper or Barge it rings: answer it there.{' '}
            <button type="button" className="btn btn-quiet btn-small" onClick={() => void m.turnOn()} title="Use this browser as your phone again" data-testid="monitor-phone-on">
              Use this browser instead
            </button>
          </p>
          <SipSettings grant={m.phone.grant} reveal={reveal} onToggle={() => setReveal((v) => !v)} />
        </div>
      )}
      {on && !mon && connected.length === 0 && (
        <p className="muted" data-testid="monitor-idle">
          No call is connected right now; calls appear here as operators answer them.
        </p>
      )}
      {!mon && connected.length > 0 && (
        <ul className="monitor-calls" data-testid="monitor-calls">
          {connected.map((c) => (
            <li key={c.callId}>
              <span>
                {c.callerName || c.dialed}
                {c.operatorName ? <span className="muted"> with {c.operatorName}</span> : null}
              </span>
              <MonitorButtons m={m} callId={c.callId} idPrefix="panel-" />
            </li>
          ))}
        </ul>
      )}
      {mon && (
        <div className="monitor-live" data-testid="monitor-live" data-state={mon.state} data-mode={mon.mode}>
          <p>
            <strong>{mon.state === 'ringing' ? RINGING_WORDS[mon.device] : MONITOR_MODE_WORDS[mon.mode]}</strong>
            <span className="muted">
              {' '}
              · {callerOf(mon.callId)}
              {mon.operatorName ? ` with ${mon.operatorName}` : ''}
            </span>
          </p>
          <div className="btn-row" role="group" aria-label="Mode">
            {MonitorMode.options.map((mode) => (
              <button
                key={mode}
                type="button"
                className={`btn ${mon.mode === mode ? 'btn-primary' : 'btn-quiet'}`}
                aria-pressed={mon.mode === mode}
                onClick={() => {
                  if (mon.mode !== mode) void m.switchMode(mode);
                }}
                disabled={mon.state !== 'connected' || m.busy}
                title={mon.state !== 'connected' ? 'Wait until you are in the call' : m.busy ? 'Working…' : mon.mode === mode ? 'This is the mode you are in' : MODE_HINT[mode]}
                data-testid={`monitor-mode-${mode}`}
              >
                {MODE_LABEL[mode]}
              </button>
            ))}
            <button type="button" className="btn btn-hangup" onClick={() => void m.leave()} disabled={m.busy} title={m.busy ? 'Working…' : 'Hang up your phone; the call goes on'} data-testid="monitor-leave">
              Leave
            </button>
          </div>
        </div>
      )}
      {m.error && (
        <p className="alert alert-error" role="alert" data-testid="monitor-error">
          {m.error}
        </p>
      )}
      <audio ref={m.remoteAudioRef} autoPlay data-testid="monitor-audio" />
    </section>
  );
}

/** Listen / Whisper / Barge on one connected call of the live table. */
export function MonitorButtons({ m, callId, idPrefix = '', outside = false }: { m: Monitoring; callId: string; idPrefix?: string; /** the call is with an outside number: nobody to whisper to */ outside?: boolean }) {
  const why = monitorWhyNot(m, callId);
  const here = m.monitor?.callId === callId;
  if (here) return <span className="muted small">You are on this call</span>;
  return (
    <div className="btn-row tight">
      {MonitorMode.options.map((mode) => {
        const not = why ?? (outside && mode === 'whisper' ? 'This call is with an outside number: there is no operator to whisper to' : null);
        return (
          <button key={mode} type="button" className="btn btn-quiet btn-small" onClick={() => void m.start(callId, mode)} disabled={!!not} title={not ?? MODE_HINT[mode]} data-testid={`${idPrefix}monitor-${mode}-${callId}`}>
            {MODE_LABEL[mode]}
          </button>
        );
      })}
    </div>
  );
}
