'use client';
import { useCallback, useEffect, useRef, useState } from 'react';

export type NotifyState = 'unsupported' | 'default' | 'granted' | 'denied';

/**
 * Browser notifications for the wallboard's alerts: permission is asked only when the person
 * presses the button (browsers refuse a prompt nobody asked for), and a queue notifies once when
 * it turns red, not on every tick while it stays red.
 */
export function useAlertNotifications(red: ReadonlyMap<string, { name: string; reasons: string[] }>) {
  const [state, setState] = useState<NotifyState>('default');
  const shown = useRef(new Set<string>());

  useEffect(() => {
    setState(typeof window === 'undefined' || !('Notification' in window) ? 'unsupported' : (Notification.permission as NotifyState));
  }, []);

  const ask = useCallback(async () => {
    if (!('Notification' in window)) return setState('unsupported');
    setState((await Notification.requestPermission()) as NotifyState);
  }, []);

  useEffect(() => {
    for (const id of [...shown.current]) if (!red.has(id)) shown.current.delete(id);
    for (const [id, q] of red) {
      if (shown.current.has(id)) continue;
      shown.current.add(id);
      if (state === 'granted') {
        try {
          new Notification(`${q.name}: needs attention`, { body: q.reasons.join('. '), tag: `wallboard-${id}` });
        } catch {
          // some browsers allow notifications only from a service worker; the red tile still shows it
        }
      }
    }
  }, [red, state]);

  return { state, ask };
}
