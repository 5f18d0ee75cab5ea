'use client';
import { useEffect, useState } from 'react';
import type { CallerHistory } from '@/server/contracts/call-work';
import { ask, type CtiSocket } from '../_lib/cti-socket';

/**
 * The offered caller's previous calls, asked for once the offer is on screen (a database read
 * the CTI does after the offer went out, never before it).
 */
export function useCallerHistory(socket: CtiSocket | null, callId: string | null) {
  const [history, setHistory] = useState<{ callId: string; data: CallerHistory | null; error: string | null } | null>(null);
  useEffect(() => {
    if (!callId) return;
    let live = true;
    void ask(socket, 'call:history', { callId }).then((r) => {
      if (!live) return;
      setHistory({ callId, data: r.ok ? r.data : null, error: r.ok ? null : r.error.message });
    });
    return () => {
      live = false;
    };
  }, [socket, callId]);
  return history && history.callId === callId ? history : null;
}
