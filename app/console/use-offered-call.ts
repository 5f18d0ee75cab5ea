'use client';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { EndedBy } from '@/server/contracts/call';
import type { AgentView, CallOffer, CallView } from '@/server/contracts/socket-events';
import type { CtiSocket } from '../_lib/cti-socket';
import type { SessionEnd } from '../_lib/use-sip-device';

/** Text for a call that ended, from the CTI's `endedBy` (caller, operator or system). */
export function endedText(endedBy: EndedBy | null): string {
  switch (endedBy) {
    case 'caller':
      return 'The caller hung up';
    case 'operator':
      return 'You ended the call';
    case 'system':
    case null:
      return 'Call ended';
  }
}

/** Text for a call the device saw end, until the CTI says who ended it. */
function deviceEndText(end: SessionEnd): string {
  const wasRinging = end.phase === 'ringing';
  if (end.local) return wasRinging ? 'You declined the call' : 'You ended the call';
  return wasRinging ? 'The call was withdrawn before you answered' : 'The caller hung up';
}

/** What the device hook reports to the call panel's model. */
export interface OfferedCallDeviceEvents {
  onIncoming(): void;
  onEnded(end: SessionEnd): void;
  onAnswerFailed(message: string): void;
}

/**
 * The call the CTI offers this operator (`call:offer`, then `call:update`) and how it ended.
 * Two sources meet here: the CTI (who, which queue, who ended it) and the browser device (the
 * INVITE that rings and its end). An offer the CTI takes back is cleared only when no device
 * session holds it, so a ringing or talking call never loses its facts.
 */
export function useOfferedCall(socket: CtiSocket | null) {
  const [offer, setOffer] = useState<CallOffer | null>(null);
  const [view, setView] = useState<CallView | null>(null);
  const [ended, setEnded] = useState<string | null>(null);
  // set and cleared synchronously by the device's events, read by the socket's
  const sessionUp = useRef(false);

  useEffect(() => {
    if (!socket) return;
    const onState = (v: AgentView) => {
      // The CTI took the offer back (the device did not answer, the caller left): clear the panel.
      if (v.callId === null && !sessionUp.current) setOffer(null);
    };
    const onOffer = (o: CallOffer) => {
      setOffer(o);
      setEnded(null);
      setView(null);
    };
    const onUpdate = (c: CallView) => {
      setView(c);
      if (c.status !== 'ended') return;
      setEnded(endedText(c.endedBy));
      if (!sessionUp.current) setOffer(null);
    };
    socket.on('agent:state', onState);
    socket.on('call:offer', onOffer);
    socket.on('call:update', onUpdate);
    return () => {
      socket.off('agent:state', onState);
      socket.off('call:offer', onOffer);
      socket.off('call:update', onUpdate);
    };
  }, [socket]);

  const deviceEvents = useMemo<OfferedCallDeviceEvents>(
    () => ({
      onIncoming() {
        sessionUp.current = true;
        setEnded(null);
      },
      onEnded(end) {
        sessionUp.current = false;
        setOffer(null);
        // the CTI's call:update may already have said (or will refine) who ended the call
        setEnded((prev) => prev ?? deviceEndText(end));
      },
      onAnswerFailed(message) {
        setEnded(`Could not answer: ${message}`);
      },
    }),
    [],
  );

  return { offer, view, ended, deviceEvents };
}
