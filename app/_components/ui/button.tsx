'use client';
import { Slot } from '@radix-ui/react-slot';
import type { ButtonHTMLAttributes } from 'react';
import { cn } from './cn';

/**
 * The portal's one button. Variants carry meaning (primary: the page's main action; danger:
 * destroys or disables something), never decoration. `asChild` renders the styles on a link.
 */
export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'quiet';

const VARIANT: Record<ButtonVariant, string> = {
  primary: 'bg-brand text-white border-brand hover:brightness-110',
  secondary: 'bg-surface text-text border-border hover:border-info',
  danger: 'bg-surface text-bad border-bad hover:bg-bad-bg',
  quiet: 'bg-transparent text-info border-transparent hover:bg-info-bg',
};

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: 'md' | 'sm';
  asChild?: boolean;
}

export function Button({ variant = 'secondary', size = 'md', asChild = false, className, type, ...rest }: ButtonProps) {
  const Comp = asChild ? Slot : 'button';
  return (
    <Comp
      type={asChild ? undefined : (type ?? 'button')}
      className={cn(
        'inline-flex items-center justify-center gap-2 rounded-lg border font-semibold no-underline cursor-pointer',
        'disabled:cursor-not-allowed disabled:opacity-45',
        size === 'md' ? 'min-h-11 px-4 py-2' : 'min-h-9 px-3 py-1 text-sm',
        VARIANT[variant],
        className,
      )}
      {...rest}
    />
  );
}
