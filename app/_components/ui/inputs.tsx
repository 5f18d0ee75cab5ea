import { forwardRef, type InputHTMLAttributes, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { cn } from './cn';

/**
 * Text input, select and textarea with the portal's look. They keep globals.css's sizes (the
 * console's inputs), add the invalid state, and take the whole row on narrow screens.
 */
const BASE = 'w-full min-w-0 min-h-11 rounded-lg border border-[#aab6c3] bg-surface px-3 py-2 text-text aria-[invalid=true]:border-bad disabled:bg-idle-bg';

export const Input = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement>>(function Input({ className, ...rest }, ref) {
  return <input ref={ref} className={cn(BASE, className)} {...rest} />;
});

export const Select = forwardRef<HTMLSelectElement, SelectHTMLAttributes<HTMLSelectElement>>(function Select({ className, ...rest }, ref) {
  return <select ref={ref} className={cn(BASE, className)} {...rest} />;
});

export const Textarea = forwardRef<HTMLTextAreaElement, TextareaHTMLAttributes<HTMLTextAreaElement>>(function Textarea({ className, ...rest }, ref) {
  return <textarea ref={ref} className={cn(BASE, 'min-h-20', className)} {...rest} />;
});

export const Checkbox = forwardRef<HTMLInputElement, Omit<InputHTMLAttributes<HTMLInputElement>, 'type'>>(function Checkbox({ className, ...rest }, ref) {
  return <input ref={ref} type="checkbox" className={cn('size-5 min-h-0 accent-[var(--brand)]', className)} {...rest} />;
});
