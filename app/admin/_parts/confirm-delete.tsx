'use client';
import { useState } from 'react';
import type { ApiResult } from '../../_lib/api';
import { Button } from '../../_components/ui/button';
import { Dialog } from '../../_components/ui/dialog';
import { sentence } from '../../_components/ui/form-error-message';
import { Banner } from './page-frame';

/** A delete button that asks first and shows the API's reason when it refuses (callers waiting, numbers routed…). */
export function ConfirmDelete({ what, onDelete, onDeleted }: { what: string; onDelete(): Promise<ApiResult<unknown>>; onDeleted(): void }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <Button variant="danger" onClick={() => (setError(null), setOpen(true))} data-testid="delete-open">
        Delete {what}
      </Button>
      <Dialog open={open} onOpenChange={setOpen} title={`Delete ${what}?`} description="This cannot be undone. The audit keeps what it was." testId="delete-dialog">
        {error && <Banner testId="delete-error">{error}</Banner>}
        <div className="flex flex-wrap gap-2">
          <Button
            variant="danger"
            disabled={busy}
            data-testid="delete-confirm"
            onClick={async () => {
              setBusy(true);
              const r = await onDelete();
              setBusy(false);
              if (r.ok) {
                setOpen(false);
                onDeleted();
              } else setError(sentence(r.error.message));
            }}
          >
            {busy ? 'Deleting…' : `Delete ${what}`}
          </Button>
          <Button onClick={() => setOpen(false)}>Keep it</Button>
        </div>
      </Dialog>
    </>
  );
}
