'use client';
import { useState } from 'react';
import type { PasswordLink } from '@/server/contracts/admin/people';
import { Button } from '../../_components/ui/button';
import { Dialog } from '../../_components/ui/dialog';
import { Input } from '../../_components/ui/inputs';
import { formatWhen } from '../_lib/format';

/** A one-time set-password link, shown this once: the server keeps only its hash. */
export function LinkDialog({ link, name, onClose }: { link: PasswordLink; name: string; onClose(): void }) {
  const url = `${window.location.origin}${link.path}`;
  const [copied, setCopied] = useState(false);
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={`Set-password link for ${name}`}
      description={`Send this link to ${name}. It works once, until ${formatWhen(link.expiresAt)}, and is shown only now.`}
      testId="link-dialog"
    >
      <div className="grid gap-3">
        <Input readOnly value={url} onFocus={(e) => e.currentTarget.select()} aria-label="Set-password link" data-testid="link-url" className="font-mono text-sm" />
        <div className="flex flex-wrap gap-2">
          <Button
            variant="primary"
            onClick={async () => {
              await navigator.clipboard?.writeText(url).catch(() => undefined);
              setCopied(true);
            }}
          >
            {copied ? 'Copied' : 'Copy the link'}
          </Button>
          <Button onClick={onClose} data-testid="link-done">
            Done
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
