import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import type { ApiResult } from '../../_lib/api';
import { sentence } from '../../_components/ui/form-error-message';

/**
 * Puts an API refusal where it belongs: each `fields` entry next to its field (the API's
 * dotted paths are react-hook-form's), and what belongs to no field — a stale save ("changed
 * by X at T"), a queue with callers waiting — as the form's own message, returned.
 */
export function applyServerErrors<T extends FieldValues>(r: ApiResult<unknown>, setError: UseFormSetError<T>, known: readonly string[]): string | null {
  if (r.ok) return null;
  let banner: string | null = null;
  const fields = r.error.fields ?? {};
  let placed = 0;
  for (const [key, message] of Object.entries(fields)) {
    const root = key.split('.')[0] ?? key;
    if (known.includes(root)) {
      setError(key as Path<T>, { type: 'server', message }, { shouldFocus: placed === 0 });
      placed++;
    }
  }
  // a message placed next to its field is not repeated above the form (a stale version has no field of its own)
  if (placed === 0) banner = sentence(r.error.message);
  return banner;
}
