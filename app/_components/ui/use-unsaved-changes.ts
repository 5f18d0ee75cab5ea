'use client';
import { useEffect } from 'react';

/**
 * Warns before unsaved changes are lost: the browser's own prompt on reload/close, and a
 * confirm() on in-app link clicks (the App Router has no cancellable route-change event, so
 * clicks on same-origin links are caught in the capture phase before Next's Link handles them).
 */
export const UNSAVED_MESSAGE = 'You have unsaved changes. Leave this page and lose them?';

export function useUnsavedChanges(dirty: boolean): void {
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    const onClick = (e: MouseEvent) => {
      const a = (e.target as Element | null)?.closest?.('a[href]');
      if (!(a instanceof HTMLAnchorElement) || a.target === '_blank' || a.origin !== window.location.origin) return;
      if (!window.confirm(UNSAVED_MESSAGE)) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    document.addEventListener('click', onClick, true);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      document.removeEventListener('click', onClick, true);
    };
  }, [dirty]);
}
