/** Joins class names, dropping the falsy ones (the primitives' only class helper). */
export function cn(...parts: Array<string | false | null | undefined>): string {
  return parts.filter(Boolean).join(' ');
}
