'use client';
import { Button } from './button';
import type { ServerPage } from './data-table';

/** "21–40 of 57" with previous / next; the page number itself is in the URL. */
export function DataTablePagination({ page, onPageChange }: { page: ServerPage; onPageChange(page: number): void }) {
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  const first = page.total === 0 ? 0 : (page.page - 1) * page.pageSize + 1;
  const last = Math.min(page.total, page.page * page.pageSize);
  return (
    <nav className="flex flex-wrap items-center justify-between gap-2" aria-label="Pages">
      <p className="m-0 text-sm text-muted" data-testid="page-range">
        {page.total === 0 ? 'Nothing to show' : `${first}–${last} of ${page.total}`}
      </p>
      <div className="flex gap-2">
        <Button size="sm" disabled={page.page <= 1} onClick={() => onPageChange(page.page - 1)} data-testid="page-prev">
          Previous
        </Button>
        <span className="self-center text-sm" aria-live="polite">
          Page {page.page} of {pages}
        </span>
        <Button size="sm" disabled={page.page >= pages} onClick={() => onPageChange(page.page + 1)} data-testid="page-next">
          Next
        </Button>
      </div>
    </nav>
  );
}
