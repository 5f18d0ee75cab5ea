import { z } from 'zod';

/**
 * The numbers operators may dial (outbound calls, docs/trunks.md "Outbound calls"): a list of
 * E.164 prefixes the admin keeps. A number is allowed when it starts with one of them; an empty
 * list allows nothing. Browser-safe: the admin form and the API share the schema.
 */
export const DialPrefixValue = z
  .string({ error: 'enter a prefix' })
  .transform((v) => v.replace(/[\s.-]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{0,14}$/, 'a prefix in international form: + then digits, e.g. +44 or +1555'));

/** POST /api/admin/dial-prefixes */
export const DialPrefixCreate = z
  .object({
    prefix: DialPrefixValue,
    label: z.string({ error: 'enter a label' }).trim().min(1, 'enter a label, e.g. "UK"').max(60, 'at most 60 characters'),
  })
  .strict();
export type DialPrefixCreate = z.infer<typeof DialPrefixCreate>;

export interface DialPrefixRow {
  id: string;
  prefix: string;
  label: string;
  updatedAt: number;
  updatedByName: string | null;
}

/** Whether `e164` may be dialled under `prefixes` (pure; the CTI decides with it before the bank is asked). */
export function dialAllowed(e164: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => e164.startsWith(p));
}
