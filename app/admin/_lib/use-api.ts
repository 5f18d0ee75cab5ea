'use client';
import { useCallback, useEffect, useState } from 'react';
import { api } from '../../_lib/api';

/** Reads one API path (null: nothing yet) and reloads on demand; the last good answer stays while reloading. */
export function useApi<T>(path: string | null) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    setLoading(true);
    void api<T>(path).then((r) => {
      if (!live) return;
      setLoading(false);
      if (r.ok) {
        setData(r.data);
        setError(null);
      } else setError(r.status === 404 ? 'Not found: it may have been deleted.' : r.error.message);
    });
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  /** Takes a row the API just answered with (a save's reply) as the current one: no second read, and no later re-render that would undo edits made meanwhile. */
  const replace = useCallback((next: T) => {
    setData(next);
    setError(null);
  }, []);
  return { data, error, loading, reload, replace };
}
