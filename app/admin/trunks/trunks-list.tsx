'use client';
import Link from 'next/link';
import { createColumnHelper } from '@tanstack/react-table';
import type { Page } from '@/server/contracts/admin/paging';
import type { TrunkRow } from '@/server/contracts/admin/trunks';
import { Button } from '../../_components/ui/button';
import { DataTable, type dataTableFeatures } from '../../_components/ui/data-table';
import { useApi } from '../_lib/use-api';
import { listTableProps } from '../_lib/list-table-props';
import { useListState } from '../_lib/use-list-state';
import { useMe } from '../_lib/use-me';
import { ListToolbar } from '../_parts/list-toolbar';
import { Banner, PageFrame } from '../_parts/page-frame';
import { DialPrefixes } from './dial-prefixes';
import { describe, StateBadge, useTrunkStatus, type LiveStatus } from './trunk-state';

const col = createColumnHelper<typeof dataTableFeatures, TrunkRow>();
const columns = (live: LiveStatus & { now: number }) =>
  col.columns([
    col.accessor('name', {
      header: 'Name',
      cell: (c) => (
        <Link href={`/admin/trunks/${encodeURIComponent(c.row.original.id)}`} className="font-semibold" data-testid="trunk-link">
          {c.getValue()}
        </Link>
      ),
    }),
    col.display({
      id: 'state',
      header: 'Registration',
      cell: (c) => {
        const d = describe(c.row.original, live.byId.get(c.row.original.id), live.loaded, live.now, live.elsewhere);
        return <StateBadge {...d} testId="trunk-state" />;
      },
    }),
    col.accessor('host', { header: 'Carrier', cell: (c) => <span className="break-all">{`${c.getValue()}:${c.row.original.port}`}</span> }),
    col.accessor('transport', { header: 'Transport', cell: (c) => c.getValue().toUpperCase() }),
    col.accessor('outbound', { header: 'Calls out', enableSorting: false, cell: (c) => (c.getValue() ? 'Yes' : 'No') }),
    col.accessor('numbers', { header: 'Numbers', enableSorting: false, cell: (c) => c.getValue().join(', ') || '—' }),
  ]);

export function TrunksList() {
  const list = useListState('name');
  const { state, set, apiQuery } = list;
  const { data, error, loading } = useApi<Page<TrunkRow>>(`/api/admin/trunks?${apiQuery}`);
  const live = useTrunkStatus();
  const { canEdit } = useMe();
  return (
    <PageFrame
      title="Trunks"
      lead="Connections to your phone carriers: calls to your numbers arrive through them, and calls to mobiles leave through them."
      actions={
        canEdit && (
          <Button asChild variant="primary">
            <Link href="/admin/trunks/new" data-testid="trunk-add">
              Add a trunk
            </Link>
          </Button>
        )
      }
    >
      <ListToolbar q={state.q} onSearch={(q) => set({ q }, 'replace')} label="Search by name or host" />
      {error && <Banner>{error}</Banner>}
      {live.error && <Banner>Registration state unavailable: {live.error}</Banner>}
      <DataTable
        caption="Trunks"
        testId="trunks-table"
        columns={columns(live)}
        rowId={(r) => r.id}
        {...listTableProps(list, data, loading)}
        empty={state.q ? 'No trunk matches this search.' : 'No trunk yet: add the one your carrier gave you the details for.'}
      />
      <DialPrefixes />
    </PageFrame>
  );
}
