'use client';
import { useCallback, useState } from 'react';
import type { FieldValues, UseFormSetError } from 'react-hook-form';
import type { ApiResult } from '../../_lib/api';
import { applyServerErrors } from './server-errors';

/**
 * A form's view of the API's refusals: field messages placed by applyServerErrors, the rest as
 * the form's banner, and whether the refusal was a stale save (someone else changed the object:
 * the banner then offers a reload). One place, so every form treats a refusal alike.
 */
export function useServerErrors<T extends FieldValues>(setError: UseFormSetError<T>, known: readonly string[]) {
  const [banner, setBanner] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const clear = useCallback(() => {
    setBanner(null);
    setStale(false);
  }, []);
  const show = useCallback(
    (r: ApiResult<unknown>) => {
      setStale(!r.ok && r.error.code === 'CONFLICT' && !!r.error.fields?.version);
      setBanner(applyServerErrors(r, setError, known));
    },
    [setError, known],
  );
  return { banner, stale, clear, show };
}
