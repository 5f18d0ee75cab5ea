'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CallOffer } from '@/server/contracts/socket-events';

/** Whether this browser may show the console's desktop alerts. */
export type AlertPermission = 'unsupported' | 'default' | 'granted' | 'denied';

function current(): AlertPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/**
 * Beside the ring tone, two ways an offer reaches an operator looking elsewhere: the tab's title
 * ("Incoming call — …") while it is offered, and a desktop notification. Browsers only ask for
 * the notification permission from a click, so `askPermission()` is called from the Ready button.
 */
export function useOfferAlert(offer: CallOffer | null, ringing: boolean) {
  const [permission, setPermission] = useState<AlertPermission>('unsupported');
  const baseTitle = useRef<string | null>(null);

  useEffect(() => setPermission(current()), []);

  const askPermission = useCallback(() => {
    if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
    void Notification.requestPermission().then(() => setPermission(current()));
  }, []);

  const alerting = offer !== null && ringing;
  // a consultation is another operator calling about their caller, not a caller
  const from = offer?.consultFrom?.operatorName;
  const who = from ? `${from}, about ${offer?.callerName || 'a caller'}` : offer?.callerName || 'a caller';
  useEffect(() => {
    if (!alerting) return;
    baseTitle.current ??= document.title;
    const base = baseTitle.current;
    document.title = `${from ? 'Incoming consultation' : 'Incoming call'} — ${who}`;
    let note: Notification | null = null;
    if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      note = new Notification(from ? 'Incoming consultation' : 'Incoming call', { body: `${who} is calling. Open the console to answer.`, tag: 'patchbay-offer', requireInteraction: true });
      note.onclick = () => window.focus();
    }
    return () => {
      document.title = base;
      note?.close();
    };
  }, [alerting, who, from]);

  return { permission, askPermission };
}
