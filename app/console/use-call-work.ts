'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ask, type CtiSocket } from '../_lib/cti-socket';

export type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; at: number } | { kind: 'failed'; message: string };

interface Draft {
  callId: string;
  notes: string;
  disposition: string | null;
  /** bumped by every edit: a save only counts as "saved" for the edits it carried */
  rev: number;
  savedRev: number;
}

/**
 * The notes and disposition of the operator's call — typed while talking and in its wrap-up —
 * saved with the call (`call:notes`). `activeCallId` is the call on the line or in wrap-up (null
 * when there is none). Nothing typed is lost: if the wrap-up ends (time over) with unsaved
 * changes, they are saved then — the CTI accepts notes for a recent call after its wrap-up too —
 * and a save that answers after newer typing leaves that typing unsaved (it is sent next).
 */
export function useCallWork(socket: CtiSocket | null, activeCallId: string | null) {
  const draft = useRef<Draft | null>(null);
  const [, rerender] = useState(0);
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const refresh = () => rerender((n) => n + 1);

  const send = useCallback(
    async (d: Draft): Promise<boolean> => {
      const rev = d.rev;
      setSave({ kind: 'saving' });
      const r = await ask(socket, 'call:notes', { callId: d.callId, notes: d.notes, disposition: d.disposition });
      if (!r.ok) {
        setSave({ kind: 'failed', message: r.error.message });
        return false;
      }
      d.savedRev = Math.max(d.savedRev, rev);
      setSave({ kind: 'saved', at: Date.now() });
      refresh();
      return true;
    },
    [socket],
  );

  // a new call starts a blank draft; the call leaving (wrap-up over) saves what was not saved
  useEffect(() => {
    const d = draft.current;
    if (activeCallId && d?.callId !== activeCallId) {
      if (d && d.rev > d.savedRev) void send(d);
      draft.current = { callId: activeCallId, notes: '', disposition: null, rev: 0, savedRev: 0 };
      setSave({ kind: 'idle' });
      refresh();
    } else if (!activeCallId && d && d.rev > d.savedRev) {
      void send(d);
    }
  }, [activeCallId, send]);

  const edit = {
    notes: (v: string) => {
      if (!draft.current) return;
      draft.current.notes = v;
      draft.current.rev++;
      refresh();
    },
    disposition: (v: string | null) => {
      if (!draft.current) return;
      draft.current.disposition = v;
      draft.current.rev++;
      refresh();
    },
  };

  /** Saves now (when there is something new to save); false if the server refused. */
  const flush = useCallback(async () => {
    const d = draft.current;
    return d && d.rev > d.savedRev ? send(d) : true;
  }, [send]);

  const d = draft.current;
  return { callId: d?.callId ?? null, notes: d?.notes ?? '', disposition: d?.disposition ?? null, dirty: !!d && d.rev > d.savedRev, save, edit, flush };
}
export type CallWorkModel = ReturnType<typeof useCallWork>;
