'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
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

/** What the operator reads when an offer rang out unanswered (the CTI made them Not ready). */
export const MISSED_TEXT = 'Missed call — you are now Not ready';
/** … and when the caller gave up while it rang (not the operator's doing: they stay Ready). */
export const CALLER_LEFT_TEXT = 'The caller hung up before you answered';

/** … and when the line dropped mid-call and did not come back (the ACD's grace is as long as the tries). */
export const LOST_TEXT = 'Your connection dropped, so the call could not go on here. A caller from a queue is first in line for the next operator.';

/** Text for a call the device saw end, until the CTI says who ended it. */
function deviceEndText(end: SessionEnd): string {
  const wasRinging = end.phase === 'ringing';
  if (end.local) return wasRinging ? 'You declined the call' : 'You ended the call';
  // the CTI's word (missed, or the caller left) follows and replaces this
  return wasRinging ? 'The call stopped ringing' : 'The caller hung up';
}

/** What the device hook reports to the call panel's model. */
export interface OfferedCallDeviceEvents {
  onIncoming(): void;
  onEnded(end: SessionEnd): void;
  onAnswerFailed(message: string): void;
  /** the call ended because this browser's line dropped (the caller did not hang up) */
  onLost(): void;
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
  // the offer on screen, read by the socket's handlers (a state push must not need a re-render)
  const offered = useRef<CallOffer | null>(null);
  const answered = useRef(false);

  useEffect(() => {
    if (!socket) return;
    const onState = (v: AgentView) => {
      // An offer that rang out: the CTI made the operator Not ready and says so (cause `missed`).
      if (offered.current && !answered.current && v.state === 'not_ready' && v.notReady?.cause === 'missed') {
        offered.current = null;
        setEnded(MISSED_TEXT);
      }
      // "you are now Not ready" stops being true when they are not
      if (v.state !== 'not_ready') setEnded((prev) => (prev === MISSED_TEXT ? null : prev));
      // The CTI took the offer back (the device did not answer, the caller left): clear the panel.
      if (v.callId === null && !sessionUp.current) setOffer(null);
    };
    const onOffer = (o: CallOffer) => {
      offered.current = o;
      answered.current = false;
      setOffer(o);
      setEnded(null);
      setView(null);
    };
    const onUpdate = (c: CallView) => {
      setView(c);
      if (c.answeredAt !== null) answered.current = true;
      if (c.status !== 'ended') return;
      const wasOffer = offered.current?.callId === c.callId && !answered.current && c.answeredAt === null;
      offered.current = null;
      setEnded(wasOffer && c.endedBy === 'caller' ? CALLER_LEFT_TEXT : endedText(c.endedBy));
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
      onLost() {
        // said before the device's end, which would otherwise read "The caller hung up"
        setEnded(LOST_TEXT);
      },
    }),
    [],
  );

  /** The call's state from a control's ack (the same as the push that follows). */
  const showView = useCallback((v: CallView) => setView(v), []);
  /** What the panel says once this operator's part ended by their own doing (a transfer). */
  const noteEnded = useCallback((text: string) => setEnded(text), []);

  return { offer, view, ended, deviceEvents, showView, noteEnded };
}
