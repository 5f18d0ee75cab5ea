/**
 * A phone number as other people may see it: the country code's first digits and the last three,
 * with a fixed run of dots between (so the mask does not tell the length either): +44•••••123.
 */
export function maskE164(e164: string): string {
  if (e164.length < 7) return '•••';
  return `${e164.slice(0, 3)}•••••${e164.slice(-3)}`;
}
