'use client';
import { rowPaginationFeature, rowSortingFeature, tableFeatures, useTable, type ColumnDef, type RowData, type SortingState, type Updater } from '@tanstack/react-table';
import type { ReactNode } from 'react';
import { DataTablePagination } from './data-table-pagination';

/**
 * A server-paged table on TanStack Table (headless: it owns sort state and row models, we own
 * markup and accessibility). The page, the sort and the filters live in the URL (the caller's
 * `ListState`), so a view can be bookmarked and the back button works; sorting and paging are
 * "manual": the server answers the rows of one page, already sorted, with the total count.
 * On narrow screens the table scrolls sideways inside its frame instead of widening the page.
 */
export const dataTableFeatures = tableFeatures({ rowSortingFeature, rowPaginationFeature });
// `any` is the column's value type, as TanStack's own `helper.columns()` returns: each column
// keeps its precise type where it is declared; the table only renders them.
export type DataTableColumn<T extends RowData> = ColumnDef<typeof dataTableFeatures, T, any>;

export interface ServerPage {
  page: number; // 1-based
  pageSize: number;
  total: number;
}

export interface DataTableProps<T extends RowData> {
  columns: DataTableColumn<T>[];
  rows: T[];
  page: ServerPage;
  sort: { id: string; desc: boolean } | null;
  onSortChange(sort: { id: string; desc: boolean } | null): void;
  onPageChange(page: number): void;
  rowId(row: T): string;
  caption: string;
  empty: ReactNode;
  loading?: boolean;
  testId?: string;
  /** false for short lists shown whole (no page controls) */
  paged?: boolean;
}

export function DataTable<T extends RowData>({ columns, rows, page, sort, onSortChange, onPageChange, rowId, caption, empty, loading, testId, paged = true }: DataTableProps<T>) {
  const sorting: SortingState = sort ? [sort] : [];
  const table = useTable({
    features: dataTableFeatures,
    columns,
    data: rows,
    getRowId: (r: T) => rowId(r),
    manualSorting: true,
    manualPagination: true,
    rowCount: page.total,
    enableSortingRemoval: false,
    state: { sorting, pagination: { pageIndex: page.page - 1, pageSize: page.pageSize } },
    onSortingChange: (u: Updater<SortingState>) => {
      const next = typeof u === 'function' ? u(sorting) : u;
      onSortChange(next[0] ?? null);
    },
  });
  return (
    <div className="grid gap-3">
      {/* relative: the containing block of visually-hidden labels in cells, which would otherwise escape the scroll box and widen the page */}
      <div className="relative overflow-x-auto rounded-box border border-border bg-surface">
        <table className="m-0" data-testid={testId} aria-busy={loading || undefined}>
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const dir = header.column.getIsSorted();
                  const canSort = header.column.getCanSort();
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : canSort ? 'none' : undefined}
                      className="whitespace-nowrap align-middle"
                    >
                      {header.isPlaceholder ? null : canSort ? (
                        <button
                          type="button"
                          className="inline-flex min-h-9 cursor-pointer items-center gap-1 border-0 bg-transparent p-0 uppercase [color:inherit] [font:inherit] [letter-spacing:inherit] hover:text-text"
                          onClick={header.column.getToggleSortingHandler()}
                          data-testid={`sort-${header.column.id}`}
                        >
                          <table.FlexRender header={header} />
                          <span aria-hidden="true">
                            {dir === 'asc' ? '▲' : dir === 'desc' ? '▼' : '↕'}
                          </span>
                        </button>
                      ) : (
                        <table.FlexRender header={header} />
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="px-3 py-6 text-center text-muted">
                  {loading ? 'Loading…' : empty}
                </td>
              </tr>
            ) : (
              table.getRowModel().rows.map((row) => (
                <tr key={row.id} data-testid={`row-${row.id}`}>
                  {row.getAllCells().map((cell) => (
                    <td key={cell.id}>
                      <table.FlexRender cell={cell} />
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {paged && <DataTablePagination page={page} onPageChange={onPageChange} />}
    </div>
  );
}
