'use client';
import Link from 'next/link';
import { createColumnHelper } from '@tanstack/react-table';
import type { Page } from '@/server/contracts/admin/paging';
import type { PersonRow } from '@/server/contracts/admin/people';
import { Button } from '../../_components/ui/button';
import { DataTable, type dataTableFeatures } from '../../_components/ui/data-table';
import { Select } from '../../_components/ui/inputs';
import { useApi } from '../_lib/use-api';
import { listTableProps } from '../_lib/list-table-props';
import { useListState } from '../_lib/use-list-state';
import { useMe } from '../_lib/use-me';
import { ListToolbar } from '../_parts/list-toolbar';
import { Banner, PageFrame } from '../_parts/page-frame';

const FILTERS = ['role', 'active'] as const;
const col = createColumnHelper<typeof dataTableFeatures, PersonRow>();
const ROLE_LABEL = { ADMIN: 'Admin', SUPERVISOR: 'Supervisor', OPERATOR: 'Operator' } as const;

const COLUMNS = col.columns([
  col.accessor('name', {
    header: 'Name',
    cell: (c) => (
      <Link href={`/admin/people/${encodeURIComponent(c.row.original.id)}`} className="font-semibold" data-testid="person-link">
        {c.getValue()}
      </Link>
    ),
  }),
  col.accessor('email', { header: 'E-mail', cell: (c) => <span className="break-all">{c.getValue()}</span> }),
  col.accessor('role', { header: 'Role', cell: (c) => ROLE_LABEL[c.getValue()] }),
  col.accessor('active', {
    header: 'Status',
    cell: (c) => (c.getValue() ? <span className="pill ok">Active</span> : <span className="pill bad">Deactivated</span>),
  }),
  col.accessor('skills', { header: 'Skills', enableSorting: false, cell: (c) => c.getValue().map((s) => `${s.skill} ${s.level}`).join(', ') || '—' }),
  col.accessor('memberships', { header: 'Queues', enableSorting: false, cell: (c) => c.getValue().map((m) => `${m.queueName} ${m.level}`).join(', ') || '—' }),
]);

export function PeopleList() {
  const list = useListState('name', FILTERS);
  const { state, set, apiQuery } = list;
  const { data, error, loading } = useApi<Page<PersonRow>>(`/api/admin/people?${apiQuery}`);
  const { canEdit } = useMe();
  return (
    <PageFrame
      title="People"
      lead="Admins, supervisors and operators: who may sign in, in which role, with which skills and queues."
      actions={
        canEdit && (
          <Button asChild variant="primary">
            <Link href="/admin/people/new" data-testid="person-add">
              Add a person
            </Link>
          </Button>
        )
      }
    >
      <ListToolbar q={state.q} onSearch={(q) => set({ q }, 'replace')} label="Search by name or e-mail">
        <label className="grid gap-1">
          <span className="font-semibold">Role</span>
          <Select value={state.filters.role} onChange={(e) => set({ role: e.target.value })} data-testid="filter-role">
            <option value="">Any role</option>
            <option value="ADMIN">Admin</option>
            <option value="SUPERVISOR">Supervisor</option>
            <option value="OPERATOR">Operator</option>
          </Select>
        </label>
        <label className="grid gap-1">
          <span className="font-semibold">Status</span>
          <Select value={state.filters.active} onChange={(e) => set({ active: e.target.value })} data-testid="filter-active">
            <option value="">Active and deactivated</option>
            <option value="true">Active</option>
            <option value="false">Deactivated</option>
          </Select>
        </label>
      </ListToolbar>
      {error && <Banner>{error}</Banner>}
      <DataTable
        caption="People"
        testId="people-table"
        columns={COLUMNS}
        rowId={(r) => r.id}
        {...listTableProps(list, data, loading)}
        empty={state.q || state.filters.role || state.filters.active ? 'Nobody matches this search.' : 'Nobody is set up yet.'}
      />
    </PageFrame>
  );
}
