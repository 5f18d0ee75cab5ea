'use client';
import { createColumnHelper } from '@tanstack/react-table';
import { AuditEntity, type AuditRow } from '@/server/contracts/admin/audit';
import type { Page } from '@/server/contracts/admin/paging';
import { DataTable, type dataTableFeatures } from '../../_components/ui/data-table';
import { Input, Select } from '../../_components/ui/inputs';
import { formatWhen } from '../_lib/format';
import { useApi } from '../_lib/use-api';
import { listTableProps } from '../_lib/list-table-props';
import { useListState } from '../_lib/use-list-state';
import { Banner, PageFrame } from '../_parts/page-frame';
import { ChangeSummary } from './change-summary';

/** Every recorded change, newest first, filtered by what, who, which action and which days (UTC). */
const FILTERS = ['entity', 'actor', 'action', 'from', 'to'] as const;
const PAGE_SIZE = 25;
const col = createColumnHelper<typeof dataTableFeatures, AuditRow>();
const COLUMNS = col.columns([
  col.accessor('at', { header: 'When', enableSorting: false, cell: (c) => <span className="num">{formatWhen(c.getValue())}</span> }),
  col.accessor('actorName', { header: 'Who', enableSorting: false, cell: (c) => c.getValue() ?? c.row.original.actorId ?? '—' }),
  col.accessor('action', { header: 'What', enableSorting: false, cell: (c) => <span className="whitespace-nowrap font-mono text-sm">{c.getValue()}</span> }),
  col.accessor('entityId', { header: 'Object', enableSorting: false, cell: (c) => <span className="font-mono text-sm">{[c.row.original.entity, c.getValue()].filter(Boolean).join(' ') || '—'}</span> }),
  col.display({ id: 'change', header: 'Before → after', cell: (c) => <ChangeSummary before={c.row.original.before} after={c.row.original.after} /> }),
]);

export function AuditList() {
  const list = useListState('at', FILTERS, PAGE_SIZE);
  const { state, set } = list;
  const q = new URLSearchParams({ page: String(state.page), pageSize: String(PAGE_SIZE) });
  for (const [k, v] of Object.entries(state.filters)) if (v) q.set(k, v);
  const { data, error, loading } = useApi<Page<AuditRow>>(`/api/admin/audit?${q.toString()}`);
  const f = state.filters;
  return (
    <PageFrame title="Audit" lead="Every change made in the portal: who, when, and what it was before and after. Secrets are never shown.">
      <div className="mb-3 grid grid-cols-2 gap-3 md:grid-cols-5" role="search">
        <label className="grid gap-1">
          <span className="font-semibold">Object</span>
          <Select value={f.entity} onChange={(e) => set({ entity: e.target.value })} data-testid="audit-entity">
            <option value="">Everything</option>
            {AuditEntity.options.map((e) => (
              <option key={e} value={e}>
                {e}
              </option>
            ))}
          </Select>
        </label>
        <FilterText label="Who" value={f.actor ?? ''} onChange={(actor) => set({ actor }, 'replace')} testId="audit-actor" />
        <FilterText label="Action" value={f.action ?? ''} onChange={(action) => set({ action }, 'replace')} testId="audit-action" />
        <label className="grid gap-1">
          <span className="font-semibold">From (UTC)</span>
          <Input type="date" value={f.from} onChange={(e) => set({ from: e.target.value })} data-testid="audit-from" />
        </label>
        <label className="grid gap-1">
          <span className="font-semibold">To (UTC)</span>
          <Input type="date" value={f.to} onChange={(e) => set({ to: e.target.value })} data-testid="audit-to" />
        </label>
      </div>
      {error && <Banner>{error}</Banner>}
      <DataTable
        caption="Audit"
        testId="audit-table"
        columns={COLUMNS}
        rowId={(r) => r.id}
        {...listTableProps(list, data, loading, false)}
        empty="Nothing recorded matches these filters."
      />
    </PageFrame>
  );
}

/** A text filter applied after a pause in typing. */
function FilterText({ label, value, onChange, testId }: { label: string; value: string; onChange(v: string): void; testId: string }) {
  return (
    <label className="grid gap-1">
      <span className="font-semibold">{label}</span>
      <Input
        type="search"
        defaultValue={value}
        key={value}
        onKeyDown={(e) => e.key === 'Enter' && onChange(e.currentTarget.value)}
        onBlur={(e) => e.currentTarget.value !== value && onChange(e.currentTarget.value)}
        data-testid={testId}
      />
    </label>
  );
}
