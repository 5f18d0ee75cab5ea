'use client';
import { useEffect, useRef, useState } from 'react';
import { openCtiSocket, type CtiSocket } from '../_lib/cti-socket';

/** The console's connection to the call service (socket.io to the CTI), as the operator sees it. */
export type Link = { kind: 'connecting' } | { kind: 'connected' } | { kind: 'down'; reason: string } | { kind: 'signed-out'; reason: string };

/** What an operator reads when an administrator deactivated them (after their call, if any). */
export const SIGNED_OUT_TEXT = 'You were signed out by an administrator';
/** …and when a supervisor signed them out of the console (they may sign in again). */
export const SIGNED_OUT_BY_SUPERVISOR_TEXT = 'A supervisor signed you out. Reload the page to sign in again.';

/** Why the socket is down, in words (socket.io's reasons are for logs, not for operators). */
function downText(reason: string): string {
  if (reason === 'UNAUTHENTICATED') return 'your session has ended — sign in again';
  if (reason === 'io server disconnect') return 'the server closed the connection — reload the page';
  if (reason === 'io client disconnect') return 'closed';
  return 'connection lost — trying again…';
}

/**
 * Opens the socket once for the console's lifetime. It connects only after this commit's
 * effects have run, so the listeners the other hooks put on in their effects are there before
 * the server's first push (the operator's state, sent right after the handshake).
 */
export function useCtiSocket(): { socket: CtiSocket | null; link: Link } {
  const [socket, setSocket] = useState<CtiSocket | null>(null);
  const [link, setLink] = useState<Link>({ kind: 'connecting' });
  // once signed out by an administrator, the close that follows must not turn into "connection lost"
  const signedOut = useRef(false);

  useEffect(() => {
    const s = openCtiSocket();
    const down = (reason: string) => {
      if (!signedOut.current) setLink({ kind: 'down', reason: downText(reason) });
    };
    s.on('connect', () => setLink({ kind: 'connected' }));
    s.on('user:signed-out', (why) => {
      signedOut.current = true;
      setLink({ kind: 'signed-out', reason: why.by === 'supervisor' ? SIGNED_OUT_BY_SUPERVISOR_TEXT : SIGNED_OUT_TEXT });
    });
    s.on('disconnect', (reason) => down(reason));
    s.on('connect_error', (err) => down(err.message));
    setSocket(s);
    return () => {
      s.removeAllListeners();
      s.disconnect();
      setSocket(null);
    };
  }, []);

  useEffect(() => {
    socket?.connect();
  }, [socket]);

  return { socket, link };
}
