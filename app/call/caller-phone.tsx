'use client';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { Info, Inviter, UserAgent } from 'sip.js';
import type { CallConfig } from '@/server/contracts/web-api';
import { AudioStatsPanel } from '../_components/audio-stats';
import { SiteHeader } from '../_components/site-header';
import { api } from '../_lib/api';
import { AUDIO_ONLY, baseUaOptions, peerConnectionOf, randomHex, remoteStreamOf } from '../_lib/sip';
import { formatDuration, useNow } from '../_lib/time';

/**
 * The public caller: a sip.js user agent with a throw-away identity `caller-<hex>` (the typed
 * name is only its display name), no registration, one INVITE to the chosen number at the ACD.
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

export function CallerPhone() {
  const now = useNow(1000);
  const [config, setConfig] = useState<CallConfig | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [number, setNumber] = useState('');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [since, setSince] = useState<number | null>(null);
  const [pc, setPc] = useState<RTCPeerConnection | null>(null);
  const uaRef = useRef<UserAgent | null>(null);
  const inviterRef = useRef<Inviter | null>(null);
  const localEndRef = useRef(false);
  const audioRef = useRef<HTMLAudioElement | null>(null);

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

  const stopUa = useCallback(async () => {
    const ua = uaRef.current;
    uaRef.current = null;
    await ua?.stop().catch(() => undefined);
  }, []);

  useEffect(() => {
    window.patchbay = { pc: () => peerConnectionOf(inviterRef.current), registered: () => false };
    return () => {
      void inviterRef.current?.dispose().catch(() => undefined);
      void stopUa();
      delete window.patchbay;
    };
  }, [stopUa]);

  const call = useCallback(
    async (e: FormEvent<HTMLFormElement>) => {
      e.preventDefault();
      if (!config || !number || inviterRef.current) return;
      localEndRef.current = false;
      setStatus({ kind: 'connecting' });
      setSince(null);
      const sip = await import('sip.js');
      const uri = sip.UserAgent.makeURI(`sip:caller-${randomHex(8)}@${config.domain}`);
      const target = sip.UserAgent.makeURI(`sip:${number}@${config.domain}`);
      if (!uri || !target) {
        setStatus({ kind: 'failed', text: 'The number is not valid.' });
        return;
      }
      const display = cleanName(name);
      const ua = new sip.UserAgent({
        ...baseUaOptions(config.wsUrl),
        uri,
        ...(display ? { displayName: display } : {}),
        delegate: {
          onDisconnect: (error) => {
            if (error && inviterRef.current) setStatus({ kind: 'ended', text: `The connection was lost (${error.message}).` });
          },
        },
      });
      uaRef.current = ua;
      try {
        await ua.start();
      } catch {
        uaRef.current = null;
        setStatus({ kind: 'failed', text: 'Our switchboard cannot be reached right now. Please try again later.' });
        return;
      }
      const inviter = new sip.Inviter(ua, target, { sessionDescriptionHandlerOptions: AUDIO_ONLY });
      inviterRef.current = inviter;
      inviter.delegate = {
        // The ACD may tell the caller when an operator is bridged in (or the caller is parked again).
        onInfo: (info: Info) => {
          const state = info.request.getHeader('X-PB-State');
          void info.accept().catch(() => undefined);
          if (state === 'bridged') setStatus({ kind: 'connected' });
          else if (state === 'parked') setStatus({ kind: 'holding' });
        },
      };
      inviter.stateChange.addListener((state) => {
        if (state === 'Established') {
          setStatus({ kind: 'holding' });
          setSince(Date.now());
          const stream = remoteStreamOf(inviter);
          if (audioRef.current && stream) {
            audioRef.current.srcObject = stream;
            void audioRef.current.play().catch(() => undefined);
          }
          setPc(peerConnectionOf(inviter));
        } else if (state === 'Terminated') {
          if (inviterRef.current === inviter) inviterRef.current = null;
          setPc(null);
          if (audioRef.current) audioRef.current.srcObject = null;
          setStatus((prev) =>
            prev.kind === 'failed' || prev.kind === 'ended'
              ? prev
              : { kind: 'ended', text: localEndRef.current ? 'You hung up.' : prev.kind === 'connecting' || prev.kind === 'ringing' ? 'The call could not be connected. Please try again.' : 'The call was ended by us. Thank you for calling.' },
          );
          void stopUa();
        }
      });
      try {
        await inviter.invite({
          requestDelegate: {
            onProgress: (r) => {
              if ((r.message.statusCode ?? 0) >= 180) setStatus((p) => (p.kind === 'connecting' ? { kind: 'ringing' } : p));
            },
            onReject: (r) => setStatus({ kind: 'failed', text: `The call was refused (${r.message.statusCode} ${r.message.reasonPhrase}).` }),
          },
        });
      } catch (err) {
        setStatus({ kind: 'failed', text: err instanceof Error ? err.message : String(err) });
        inviterRef.current = null;
        void stopUa();
      }
    },
    [config, name, number, stopUa],
  );

  const hangUp = useCallback(async () => {
    const inv = inviterRef.current;
    if (!inv) return;
    localEndRef.current = true;
    try {
      if (inv.state === 'Established') await inv.bye();
      else if (inv.state === 'Establishing' || inv.state === 'Initial') await inv.cancel();
      else await inv.dispose();
    } catch {
      await inv.dispose().catch(() => undefined);
    }
  }, []);

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
            <button type="button" className="btn btn-hangup" onClick={() => void hangUp()} disabled={!inCall} data-testid="call-hangup">
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
          <AudioStatsPanel pc={pc} />
          <audio ref={audioRef} autoPlay data-testid="remote-audio" />
        </section>
      </main>
    </>
  );
}
