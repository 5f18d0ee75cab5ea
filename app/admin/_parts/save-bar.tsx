'use client';
import Link from 'next/link';
import { Button } from '../../_components/ui/button';

/** The form's actions: save (busy while saving), back to the list, and whether anything is unsaved. */
export function SaveBar({ busy, dirty, backHref, label = 'Save', disabled }: { busy: boolean; dirty: boolean; backHref: string; label?: string; disabled?: boolean }) {
  return (
    <div className="sticky bottom-0 z-10 -mx-1 flex flex-wrap items-center gap-3 border-t border-border bg-bg/95 px-1 py-3">
      <Button type="submit" variant="primary" disabled={busy || disabled} data-testid="form-save">
        {busy ? 'Saving…' : label}
      </Button>
      <Button asChild variant="quiet">
        <Link href={backHref} data-testid="form-back">
          Back to the list
        </Link>
      </Button>
      <span className="text-sm text-muted" aria-live="polite" data-testid="form-dirty">
        {dirty ? 'Unsaved changes' : ''}
      </span>
    </div>
  );
}
