import type { Page } from '@/server/contracts/admin/paging';
import type { useListState } from './use-list-state';

/** The server-paged table's wiring to a list page's URL state and its last API answer. */
export function listTableProps<T>(list: ReturnType<typeof useListState>, data: Page<T> | null, loading: boolean, sortable = true) {
  const { state, set, pageSize } = list;
  return {
    rows: data?.rows ?? [],
    page: { page: state.page, pageSize, total: data?.total ?? 0 },
    sort: sortable ? { id: state.sort, desc: state.dir === 'desc' } : null,
    onSortChange: (s: { id: string; desc: boolean } | null) => (s ? set({ sort: s.id, dir: s.desc ? 'desc' : 'asc' }) : undefined),
    onPageChange: (page: number) => set({ page }),
    loading: loading && !data,
  };
}
