'use client';
import { useCallback, useState } from 'react';
import type { CallView, TransferTarget, TransferTargets } from '@/server/contracts/socket-events';
import { ask, type CtiSocket } from '../_lib/cti-socket';

export type ControlName = 'hold' | 'resume' | 'mute' | 'unmute' | 'dtmf' | 'transfer';

/**
 * The operator's in-call controls, asked of the CTI (which acts through the ACD, so they work
 * whatever the device: this browser, a mobile or a SIP phone). One request at a time; the CTI's
 * refusal is shown in its own words; the call's new state comes back in the ack.
 */
export function useCallControls(socket: CtiSocket | null, callId: string | null, onView: (v: CallView) => void, onTransferred: (text: string) => void) {
  const [busy, setBusy] = useState<ControlName | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [targets, setTargets] = useState<TransferTargets | null>(null);

  const run = useCallback(
    async (name: ControlName, send: (id: string) => Promise<{ ok: true; data: CallView } | { ok: false; error: { message: string } }>) => {
      if (!callId || busy) return false;
      setBusy(name);
      setError(null);
      const r = await send(callId);
      setBusy(null);
      if (r.ok) onView(r.data);
      else setError(r.error.message);
      return r.ok;
    },
    [callId, busy, onView],
  );

  const hold = useCallback((on: boolean) => run(on ? 'hold' : 'resume', (id) => ask(socket, on ? 'call:hold' : 'call:resume', { callId: id })), [run, socket]);
  const mute = useCallback((on: boolean) => run(on ? 'mute' : 'unmute', (id) => ask(socket, on ? 'call:mute' : 'call:unmute', { callId: id })), [run, socket]);
  const dtmf = useCallback((digits: string) => run('dtmf', (id) => ask(socket, 'call:dtmf', { callId: id, digits })), [run, socket]);

  const loadTargets = useCallback(async () => {
    setTargets(null);
    const r = await ask(socket, 'call:transfer-targets', {});
    if (r.ok) setTargets(r.data);
    else setError(r.error.message);
  }, [socket]);

  const transfer = useCallback(
    async (to: TransferTarget, label: string) => {
      const ok = await run('transfer', (id) => ask(socket, 'call:transfer', { callId: id, to }));
      if (ok) onTransferred(`Transferred to ${label}`);
      return ok;
    },
    [run, socket, onTransferred],
  );

  /** Talk first to a Ready operator (their id) or an outside number (`{ number }`); the caller waits on hold. */
  const consult = useCallback(
    (to: string | { number: string }) => run('transfer', (id) => ask(socket, 'call:consult', typeof to === 'string' ? { callId: id, operatorId: to } : { callId: id, number: to.number })),
    [run, socket],
  );
  const consultStep = useCallback(
    async (step: 'swap' | 'complete' | 'cancel' | 'conference', name: string) => {
      const event = step === 'conference' ? 'call:conference' : (`call:consult-${step}` as const);
      const ok = await run('transfer', (id) => ask(socket, event, { callId: id }));
      if (ok && step === 'complete') onTransferred(`Transferred to ${name}`);
      return ok;
    },
    [run, socket, onTransferred],
  );

  return { consult, consultStep, busy, error, clearError: () => setError(null), hold, mute, dtmf, targets, loadTargets, transfer };
}
