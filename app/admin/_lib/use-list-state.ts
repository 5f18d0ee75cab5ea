'use client';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo } from 'react';

/**
 * A list page's state in its URL — search, sort, direction, page and the page's own filters —
 * so a view can be bookmarked and the back button walks through it. `apiQuery` is the same
 * state as the API's query string (server/contracts/admin/paging.ts reads these names).
 */
export interface ListState {
  q: string;
  sort: string;
  dir: 'asc' | 'desc';
  page: number;
  filters: Record<string, string>;
}

/** `filterKeys` must be a module constant (it is a dependency of the parsed state). */
const NO_FILTERS: readonly string[] = [];

export function useListState(defaultSort: string, filterKeys: readonly string[] = NO_FILTERS, pageSize = 20, defaultDir: 'asc' | 'desc' = 'asc') {
  const sp = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const key = sp.toString();

  const state: ListState = useMemo(() => {
    const p = new URLSearchParams(key);
    return {
      q: p.get('q') ?? '',
      sort: p.get('sort') ?? defaultSort,
      dir: p.get('dir') === 'desc' || p.get('dir') === 'asc' ? (p.get('dir') as 'asc' | 'desc') : defaultDir,
      page: Math.max(1, Number(p.get('page') ?? 1) || 1),
      filters: Object.fromEntries(filterKeys.map((k) => [k, p.get(k) ?? ''])),
    };
  }, [key, defaultSort, filterKeys, defaultDir]);

  /** Changes some of the state; anything but the page itself goes back to page 1. */
  const set = useCallback(
    (patch: Partial<Record<string, string | number>>, how: 'push' | 'replace' = 'push') => {
      const next = new URLSearchParams(key);
      for (const [k, v] of Object.entries(patch)) {
        if (v === '' || v === undefined) next.delete(k);
        else next.set(k, String(v));
      }
      if (!('page' in patch)) next.delete('page');
      const qs = next.toString();
      router[how](qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [key, pathname, router],
  );

  const apiQuery = useMemo(() => {
    const p = new URLSearchParams({ sort: state.sort, dir: state.dir, page: String(state.page), pageSize: String(pageSize) });
    if (state.q) p.set('q', state.q);
    for (const [k, v] of Object.entries(state.filters)) if (v) p.set(k, v);
    return p.toString();
  }, [state, pageSize]);

  return { state, set, apiQuery, pageSize };
}
