'use client';
import { Button } from '../../_components/ui/button';
import { Banner } from './page-frame';

/** A refused save's message above the form; for a stale save, a Reload button brings the other admin's version. */
export function FormBanner({ message, onReload }: { message: string | null; onReload?: (() => void) | undefined }) {
  if (!message) return null;
  return (
    <Banner>
      {message}{' '}
      {onReload && (
        <Button size="sm" onClick={onReload} data-testid="form-reload">
          Reload
        </Button>
      )}
    </Banner>
  );
}
