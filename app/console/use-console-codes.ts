'use client';
import { useEffect, useState } from 'react';
import type { ConsoleCodes } from '@/server/contracts/call-work';
import { ask, type CtiSocket } from '../_lib/cti-socket';

const NONE: ConsoleCodes = { notReady: [], disposition: [] };

/** The admin's not-ready reasons and dispositions, asked for on every (re)connection. */
export function useConsoleCodes(socket: CtiSocket | null): ConsoleCodes {
  const [codes, setCodes] = useState<ConsoleCodes>(NONE);
  useEffect(() => {
    if (!socket) return;
    const load = () =>
      void ask(socket, 'agent:codes', {}).then((r) => {
        if (r.ok) setCodes(r.data);
      });
    socket.on('connect', load);
    if (socket.connected) load();
    return () => {
      socket.off('connect', load);
    };
  }, [socket]);
  return codes;
}
