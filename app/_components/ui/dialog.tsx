'use client';
import * as RadixDialog from '@radix-ui/react-dialog';
import type { ReactNode } from 'react';

/**
 * A modal dialog on Radix (focus trap, Escape, aria-modal, focus return). Title and description
 * are required so every dialog is announced with what it is for.
 */
export interface DialogProps {
  open: boolean;
  onOpenChange(open: boolean): void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  testId?: string;
}

export function Dialog({ open, onOpenChange, title, description, children, testId }: DialogProps) {
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-40 bg-black/40" />
        <RadixDialog.Content
          data-testid={testId}
          className="fixed left-1/2 top-1/2 z-50 max-h-[90vh] w-[min(34rem,calc(100vw-1.5rem))] -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-box border border-border bg-surface p-5 shadow-xl"
          {...(description ? {} : { 'aria-describedby': undefined })}
        >
          <RadixDialog.Title className="m-0 mb-2 text-lg font-bold">{title}</RadixDialog.Title>
          {description && <RadixDialog.Description className="m-0 mb-4 text-muted">{description}</RadixDialog.Description>}
          {children}
          <RadixDialog.Close className="absolute right-3 top-3 min-h-9 min-w-9 cursor-pointer rounded-lg border-0 bg-transparent text-xl text-muted hover:bg-idle-bg" aria-label="Close">
            ×
          </RadixDialog.Close>
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
