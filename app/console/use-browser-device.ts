'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BrowserGrant } from '@/server/contracts/socket-events';
import { ask, type CtiSocket } from '../_lib/cti-socket';
import { Ringer } from '../_lib/ringer';
import { useSipDevice } from '../_lib/use-sip-device';
import type { OfferedCallDeviceEvents } from './use-offered-call';

export type Mic = 'unknown' | 'asking' | 'allowed' | 'blocked';

/**
 * "This browser" as the operator's device: the microphone asked for up front, a grant from the
 * CTI (`agent:device`), the shared sip.js phone registered with it, and a ring tone while an
 * incoming call waits for Answer.
 */
export function useBrowserDevice(socket: CtiSocket | null, events: OfferedCallDeviceEvents) {
  const [mic, setMic] = useState<Mic>('unknown');
  const [grant, setGrant] = useState<BrowserGrant | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ringerRef = useRef<Ringer | null>(null);

  useEffect(() => {
    const ringer = new Ringer();
    ringerRef.current = ringer;
    return () => ringer.close();
  }, []);

  const phone = useSipDevice({
    onIncoming: () => {
      ringerRef.current?.start();
      events.onIncoming();
    },
    onEstablished: () => ringerRef.current?.stop(),
    onEnded: (end) => {
      ringerRef.current?.stop();
      events.onEnded(end);
    },
  });
  const { register, stop, answer: accept } = phone;

  const start = useCallback(async () => {
    setError(null);
    setBusy(true);
    ringerRef.current?.unlock();
    try {
      // Ask for the microphone now, while the operator is looking, not when a caller is waiting.
      setMic('asking');
      try {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
        stream.getTracks().forEach((t) => t.stop());
        setMic('allowed');
      } catch {
        setMic('blocked');
      }
      const r = await ask(socket, 'agent:device', { kind: 'browser' });
      if (!r.ok) throw new Error(r.error.message);
      if (r.data.kind !== 'browser') throw new Error('The server chose another device; try again.');
      setGrant(r.data);
      await register({ wsUrl: r.data.wsUrl, aor: r.data.aor, user: r.data.sipUser, password: r.data.sipPassword });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }, [socket, register]);

  /** The mobile rings through the trunk now: release the browser line so only one device rings. */
  const release = useCallback(async () => {
    ringerRef.current?.stop();
    await stop();
    setGrant(null);
  }, [stop]);

  const { onAnswerFailed } = events;
  const answer = useCallback(async () => {
    ringerRef.current?.stop();
    try {
      await accept();
    } catch (err) {
      onAnswerFailed(err instanceof Error ? err.message : String(err));
    }
  }, [accept, onAnswerFailed]);

  return { phone, mic, grant, error, busy, start, release, answer };
}

export type BrowserDevice = ReturnType<typeof useBrowserDevice>;
