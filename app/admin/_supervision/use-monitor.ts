'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MonitorMode, MonitorView } from '@/server/contracts/monitor';
import { ask, type CtiSocket } from '../../_lib/cti-socket';
import { useSipDevice } from '../../_lib/use-sip-device';

import type { MobileGrant, SipPhoneGrant } from '@/server/contracts/socket-events';

/** The supervisor's monitoring phone: off, this page's browser phone (starting, on, failed), a desk phone with its settings, or their verified mobile. */
export type PhoneState =
  | { kind: 'off' }
  | { kind: 'starting' }
  | { kind: 'on' }
  | { kind: 'failed'; reason: string }
  | { kind: 'desk'; grant: SipPhoneGrant }
  | { kind: 'mobile'; e164Masked: string };

/** A phone that rings elsewhere than this page: its ups and downs are not the page's registration. */
export const ringsElsewhere = (p: PhoneState): boolean => p.kind === 'desk' || p.kind === 'mobile';

/**
 * The supervisor's side of monitoring: the page's own browser phone (credentials from
 * `monitor:device`, the shared sip.js phone registered with them), and the call being
 * monitored (`monitor:start` / `monitor:mode` / `monitor:stop`, updates from `monitor:state`).
 * The phone rings because the supervisor just asked for it, so it is answered at once.
 */
export function useMonitor(socket: CtiSocket | null) {
  const [phone, setPhone] = useState<PhoneState>({ kind: 'off' });
  const [monitor, setMonitor] = useState<MonitorView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const expectingRef = useRef(false);
  const answerRef = useRef<() => Promise<void>>(async () => undefined);

  const device = useSipDevice({
    onIncoming: () => {
      // only the call the supervisor asked for is answered; anything else is declined
      if (expectingRef.current) void answerRef.current().catch(() => setError('Your phone could not answer; check the microphone.'));
      else void device.hangUp();
    },
  });
  answerRef.current = device.answer;
  const { register, stop, registration } = device;

  useEffect(() => {
    if (!socket) return;
    const onState = (v: MonitorView) => {
      expectingRef.current = v.state === 'ringing';
      setMonitor(v.state === 'ended' ? null : v);
      if (v.state === 'ended' && v.reason) setError(v.reason);
    };
    socket.on('monitor:state', onState);
    return () => {
      socket.off('monitor:state', onState);
    };
  }, [socket]);

  useEffect(() => {
    setPhone((p) => {
      // a desk phone or mobile is not this page's registration: its ups and downs do not change it
      if (ringsElsewhere(p)) return p;
      if (registration.kind === 'registered') return { kind: 'on' };
      if (registration.kind === 'failed' || registration.kind === 'lost' || registration.kind === 'unregistered') return { kind: 'failed', reason: 'Your phone on this page lost its connection; turn it on again.' };
      return p;
    });
  }, [registration]);

  const turnOn = useCallback(async () => {
    setError(null);
    setPhone({ kind: 'starting' });
    try {
      try {
        const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
        s.getTracks().forEach((t) => t.stop());
      } catch {
        // listening works without a microphone; whisper and barge need one
        setError('The microphone is blocked: you can listen, but nobody will hear you.');
      }
      const r = await ask(socket, 'monitor:device', { kind: 'browser' });
      if (!r.ok) throw new Error(r.error.message);
      if (r.data.kind !== 'browser') throw new Error('The server chose another phone; try again.');
      await register({ wsUrl: r.data.wsUrl, aor: r.data.aor, user: r.data.sipUser, password: r.data.sipPassword });
    } catch (err) {
      setPhone({ kind: 'failed', reason: err instanceof Error ? err.message : String(err) });
    }
  }, [socket, register]);

  useEffect(() => () => void stop(), [stop]);

  /** A desk phone or softphone instead: the settings to type in; the page's own phone is switched off. */
  const chooseDeskPhone = useCallback(async () => {
    setError(null);
    const r = await ask(socket, 'monitor:device', { kind: 'sip_phone' });
    if (!r.ok) return setError(r.error.message);
    if (r.data.kind !== 'sip_phone') return setError('The server chose another phone; try again.');
    await stop();
    setPhone({ kind: 'desk', grant: r.data });
  }, [socket, stop]);

  /** The supervisor's own mobile (verified with a call in the panel): it rings through the carrier; the page's phone is switched off. */
  const chooseMobile = useCallback(
    async (g: MobileGrant) => {
      setError(null);
      await stop();
      setPhone({ kind: 'mobile', e164Masked: g.e164Masked });
    },
    [stop],
  );

  const run = useCallback(async (p: () => Promise<{ ok: true; data: MonitorView } | { ok: false; error: { message: string } }>) => {
    setBusy(true);
    setError(null);
    const r = await p();
    setBusy(false);
    if (!r.ok) {
      setError(r.error.message);
      return;
    }
    expectingRef.current = r.data.state === 'ringing';
    setMonitor(r.data.state === 'ended' ? null : r.data);
  }, []);

  const start = useCallback((callId: string, mode: MonitorMode) => {
    expectingRef.current = true;
    return run(() => ask(socket, 'monitor:start', { callId, mode }));
  }, [socket, run]);
  const switchMode = useCallback((mode: MonitorMode) => (monitor ? run(() => ask(socket, 'monitor:mode', { callId: monitor.callId, mode })) : Promise.resolve()), [socket, run, monitor]);
  const leave = useCallback(() => (monitor ? run(() => ask(socket, 'monitor:stop', { callId: monitor.callId })) : Promise.resolve()), [socket, run, monitor]);

  return { socket, phone, monitor, error, busy, turnOn, chooseDeskPhone, chooseMobile, start, switchMode, leave, session: device.session, remoteAudioRef: device.remoteAudioRef };
}

export type Monitoring = ReturnType<typeof useMonitor>;
