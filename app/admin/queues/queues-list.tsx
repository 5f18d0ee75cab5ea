'use client';
import Link from 'next/link';
import { createColumnHelper } from '@tanstack/react-table';
import type { Page } from '@/server/contracts/admin/paging';
import { STRATEGY_LABEL, type QueueRow } from '@/server/contracts/admin/queues';
import { Button } from '../../_components/ui/button';
import { DataTable, type dataTableFeatures } from '../../_components/ui/data-table';
import { useApi } from '../_lib/use-api';
import { listTableProps } from '../_lib/list-table-props';
import { useListState } from '../_lib/use-list-state';
import { useMe } from '../_lib/use-me';
import { ListToolbar } from '../_parts/list-toolbar';
import { Banner, PageFrame } from '../_parts/page-frame';

const col = createColumnHelper<typeof dataTableFeatures, QueueRow>();
const COLUMNS = col.columns([
  col.accessor('name', {
    header: 'Name',
    cell: (c) => (
      <Link href={`/admin/queues/${encodeURIComponent(c.row.original.id)}`} className="font-semibold" data-testid="queue-link">
        {c.getValue()}
      </Link>
    ),
  }),
  col.accessor('strategy', { header: 'Routing', cell: (c) => STRATEGY_LABEL[c.getValue()] }),
  col.accessor('ringTimeoutSec', { header: 'Ring timeout', cell: (c) => `${c.getValue()} s` }),
  col.accessor('priority', { header: 'Priority' }),
  col.accessor('slTargetPct', { header: 'Service level', enableSorting: false, cell: (c) => `${c.getValue()} % in ${c.row.original.slThresholdSec} s` }),
  col.accessor('members', { header: 'People', enableSorting: false }),
  col.accessor('numbers', { header: 'Numbers', enableSorting: false, cell: (c) => c.getValue().join(', ') || '—' }),
]);

export function QueuesList() {
  const list = useListState('name');
  const { state, set, apiQuery } = list;
  const { data, error, loading } = useApi<Page<QueueRow>>(`/api/admin/queues?${apiQuery}`);
  const { canEdit } = useMe();
  return (
    <PageFrame
      title="Queues"
      lead="Where callers wait, how they are offered to operators, and what happens when nobody answers."
      actions={
        canEdit && (
          <Button asChild variant="primary">
            <Link href="/admin/queues/new" data-testid="queue-add">
              Add a queue
            </Link>
          </Button>
        )
      }
    >
      <ListToolbar q={state.q} onSearch={(q) => set({ q }, 'replace')} label="Search by name" />
      {error && <Banner>{error}</Banner>}
      <DataTable
        caption="Queues"
        testId="queues-table"
        columns={COLUMNS}
        rowId={(r) => r.id}
        {...listTableProps(list, data, loading)}
        empty={state.q ? 'No queue matches this search.' : 'No queue yet: add the first one.'}
      />
    </PageFrame>
  );
}
