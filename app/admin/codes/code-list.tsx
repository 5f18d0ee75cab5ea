'use client';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { CODE_KIND_LABEL, type CodeKind, type CodeRow } from '@/server/contracts/admin/codes';
import { Button } from '../../_components/ui/button';
import { DataTable, type dataTableFeatures } from '../../_components/ui/data-table';
import { useApi } from '../_lib/use-api';
import { useMe } from '../_lib/use-me';
import { Banner } from '../_parts/page-frame';
import { CodeDialog } from './code-dialog';

/** One short list (no paging: a few dozen codes at most), edited in a dialog. */
const col = createColumnHelper<typeof dataTableFeatures, CodeRow>();
const BASE_COLUMNS = col.columns([
  col.accessor('position', { header: 'Order', enableSorting: false }),
  col.accessor('code', { header: 'Code', enableSorting: false, cell: (c) => <span className="whitespace-nowrap font-mono text-sm">{c.getValue()}</span> }),
  col.accessor('label', { header: 'Label', enableSorting: false }),
  col.accessor('active', { header: 'Status', enableSorting: false, cell: (c) => (c.getValue() ? <span className="pill ok">In use</span> : <span className="pill">Retired</span>) }),
]);

export function CodeList({ kind }: { kind: CodeKind }) {
  const { data, error, reload } = useApi<CodeRow[]>(`/api/admin/codes/${kind}`);
  const { canEdit } = useMe();
  const [editing, setEditing] = useState<CodeRow | 'new' | null>(null);
  const columns = canEdit
    ? [
        ...BASE_COLUMNS,
        col.display({
          id: 'edit',
          header: '',
          cell: (c) => (
            <Button size="sm" variant="quiet" onClick={() => setEditing(c.row.original)} data-testid={`code-edit-${c.row.original.code}`}>
              Edit
            </Button>
          ),
        }),
      ]
    : BASE_COLUMNS;
  const rows = data ?? [];
  return (
    <section className="mb-8" aria-labelledby={`codes-${kind}`} data-testid={`codes-${kind}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id={`codes-${kind}`} className="m-0 my-3">
          {CODE_KIND_LABEL[kind]}
        </h2>
        {canEdit && (
          <Button onClick={() => setEditing('new')} data-testid={`code-add-${kind}`}>
            Add a code
          </Button>
        )}
      </div>
      {error && <Banner>{error}</Banner>}
      <DataTable
        caption={CODE_KIND_LABEL[kind]}
        columns={columns}
        rows={rows}
        rowId={(r) => r.id}
        page={{ page: 1, pageSize: Math.max(rows.length, 1), total: rows.length }}
        sort={null}
        onSortChange={() => undefined}
        onPageChange={() => undefined}
        empty="No code yet."
        paged={false}
      />
      {editing && (
        <CodeDialog
          kind={kind}
          code={editing === 'new' ? null : editing}
          nextPosition={rows.reduce((m, r) => Math.max(m, r.position), 0) + 1}
          onClose={() => setEditing(null)}
          onSaved={() => (setEditing(null), reload())}
        />
      )}
    </section>
  );
}
