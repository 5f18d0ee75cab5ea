import { z } from 'zod';

/** A person's own mobile number as typed (console, supervision page): spaces, dots and dashes are dropped (not brackets: "+44 (0)7700…" would dial a wrong number). */
export const MobileNumber = z
  .string({ error: 'enter your mobile number' })
  .transform((v) => v.replace(/[\s.-]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/, 'enter the number in international form, e.g. +447700900123'));

/**
 * A phone number as other people may see it: the country code's first digits and the last three,
 * with a fixed run of dots between (so the mask does not tell the length either): +44•••••123.
 */
export function maskE164(e164: string): string {
  if (e164.length < 7) return '•••';
  return `${e164.slice(0, 3)}•••••${e164.slice(-3)}`;
}

/**
 * A dialled address with any E.164 number in it masked, for logs: a mobile or a callback's number
 * is the person's own (`tel:+447700900123` → `tel:+44•••••123`); a device's SIP user stays.
 */
export function maskNumbersInUri(uri: string): string {
  return uri.replace(/\+\d{6,15}/g, (n) => maskE164(n));
}
