'use client';
import { useEffect, useRef, useState } from 'react';
import { ask, openCtiSocket } from '../../_lib/cti-socket';

export type LiveLink = 'connecting' | 'live' | 'down';

/**
 * Calls `onStored` each time the CTI has stored call rows (`history:subscribe`, then
 * `history:stored`: the journal writer says so once its batch committed, so the rows are there to
 * read — no guessing how long the write-behind takes). `onStored` returns the re-read's promise:
 * while one re-read runs, further messages make one more afterwards, never a queue of them.
 */
export function useStoredCalls(onStored: () => Promise<unknown>): LiveLink {
  const [link, setLink] = useState<LiveLink>('connecting');
  const cb = useRef(onStored);
  cb.current = onStored;
  useEffect(() => {
    const socket = openCtiSocket();
    let running = false;
    let again = false;
    const reread = () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      void cb
        .current()
        .catch(() => undefined)
        .finally(() => {
          running = false;
          if (again) {
            again = false;
            reread();
          }
        });
    };
    socket.on('connect', () => {
      void ask(socket, 'history:subscribe', {}).then((r) => {
        setLink(r.ok ? 'live' : 'down');
        // a reconnection may have missed some: read once more
        if (r.ok) reread();
      });
    });
    socket.on('disconnect', () => setLink('down'));
    socket.on('connect_error', () => setLink('down'));
    socket.on('history:stored', reread);
    socket.connect();
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, []);
  return link;
}
