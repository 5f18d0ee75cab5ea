'use client';
import Link from 'next/link';
import { createColumnHelper } from '@tanstack/react-table';
import type { NumberRow } from '@/server/contracts/admin/numbers';
import type { Page } from '@/server/contracts/admin/paging';
import { Button } from '../../_components/ui/button';
import { DataTable, type dataTableFeatures } from '../../_components/ui/data-table';
import { useApi } from '../_lib/use-api';
import { listTableProps } from '../_lib/list-table-props';
import { useListState } from '../_lib/use-list-state';
import { useMe } from '../_lib/use-me';
import { ListToolbar } from '../_parts/list-toolbar';
import { Banner, PageFrame } from '../_parts/page-frame';

const col = createColumnHelper<typeof dataTableFeatures, NumberRow>();
const COLUMNS = col.columns([
  col.accessor('e164', {
    header: 'Number',
    cell: (c) => (
      <Link href={`/admin/numbers/${encodeURIComponent(c.getValue())}`} className="num font-semibold" data-testid="number-link">
        {c.getValue()}
      </Link>
    ),
  }),
  col.accessor('queueName', { id: 'queue', header: 'Queue' }),
  col.accessor('trunkName', { header: 'Trunk', enableSorting: false, cell: (c) => c.getValue() ?? 'Any (WebRTC and SIP phones)' }),
  col.accessor('holdAudio', { header: 'Hold audio', enableSorting: false }),
  col.accessor('priority', { header: 'Caller priority', enableSorting: false }),
]);

export function NumbersList() {
  const list = useListState('e164');
  const { state, set, apiQuery } = list;
  const { data, error, loading } = useApi<Page<NumberRow>>(`/api/admin/numbers?${apiQuery}`);
  const { canEdit } = useMe();
  return (
    <PageFrame
      title="Numbers"
      lead="The numbers callers dial, and the queue that answers each."
      actions={
        canEdit && (
          <Button asChild variant="primary">
            <Link href="/admin/numbers/new" data-testid="number-add">
              Add a number
            </Link>
          </Button>
        )
      }
    >
      <ListToolbar q={state.q} onSearch={(q) => set({ q }, 'replace')} label="Search by number or queue" />
      {error && <Banner>{error}</Banner>}
      <DataTable
        caption="Numbers"
        testId="numbers-table"
        columns={COLUMNS}
        rowId={(r) => r.e164}
        {...listTableProps(list, data, loading)}
        empty={state.q ? 'No number matches this search.' : 'No number yet: add the first one.'}
      />
    </PageFrame>
  );
}
