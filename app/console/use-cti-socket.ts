'use client';
import { useEffect, useState } from 'react';
import { openCtiSocket, type CtiSocket } from '../_lib/cti-socket';

/** The console's connection to the call service (socket.io to the CTI), as the operator sees it. */
export type Link = { kind: 'connecting' } | { kind: 'connected' } | { kind: 'down'; reason: string };

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

  useEffect(() => {
    const s = openCtiSocket();
    s.on('connect', () => setLink({ kind: 'connected' }));
    s.on('disconnect', (reason) => setLink({ kind: 'down', reason: downText(reason) }));
    s.on('connect_error', (err) => setLink({ kind: 'down', reason: downText(err.message) }));
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
