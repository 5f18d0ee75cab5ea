'use client';
import Link from 'next/link';
import { createColumnHelper } from '@tanstack/react-table';
import type { Page } from '@/server/contracts/admin/paging';
import { WEEKDAYS, type ScheduleRow } from '@/server/contracts/admin/schedules';
import { Button } from '../../_components/ui/button';
import { DataTable, type dataTableFeatures } from '../../_components/ui/data-table';
import { useApi } from '../_lib/use-api';
import { listTableProps } from '../_lib/list-table-props';
import { useListState } from '../_lib/use-list-state';
import { useMe } from '../_lib/use-me';
import { ListToolbar } from '../_parts/list-toolbar';
import { Banner, PageFrame } from '../_parts/page-frame';

/** "Mon–Fri 09:00–17:00; Sat 10:00–14:00": the week in one line. */
export function weekSummary(s: Pick<ScheduleRow, 'weekly'>): string {
  const byDay = WEEKDAYS.map((_, d) => s.weekly.filter((w) => w.day === d).map((w) => `${w.start}–${w.end}`).join(', '));
  const parts: string[] = [];
  for (let d = 0; d < 7; d++) {
    if (!byDay[d]) continue;
    let e = d;
    while (e + 1 < 7 && byDay[e + 1] === byDay[d]) e++;
    parts.push(`${WEEKDAYS[d]!.slice(0, 3)}${e > d ? `–${WEEKDAYS[e]!.slice(0, 3)}` : ''} ${byDay[d]}`);
    d = e;
  }
  return parts.join('; ') || 'Closed all week';
}

const col = createColumnHelper<typeof dataTableFeatures, ScheduleRow>();
const COLUMNS = col.columns([
  col.accessor('name', {
    header: 'Name',
    cell: (c) => (
      <Link href={`/admin/schedules/${encodeURIComponent(c.row.original.id)}`} className="font-semibold" data-testid="schedule-link">
        {c.getValue()}
      </Link>
    ),
  }),
  col.accessor('timeZone', { header: 'Time zone' }),
  col.accessor('openNow', { header: 'Now', enableSorting: false, cell: (c) => (c.getValue() ? 'Open' : 'Closed') }),
  col.accessor('weekly', { header: 'Opening hours', enableSorting: false, cell: (c) => weekSummary(c.row.original) }),
  col.accessor('holidays', { header: 'Holidays', enableSorting: false, cell: (c) => c.getValue().length || '—' }),
  col.accessor('usedBy', { header: 'Used by', enableSorting: false, cell: (c) => [...c.getValue().queues, ...c.getValue().numbers].join(', ') || '—' }),
]);

export function SchedulesList() {
  const list = useListState('name');
  const { state, set, apiQuery } = list;
  const { data, error, loading } = useApi<Page<ScheduleRow>>(`/api/admin/schedules?${apiQuery}`);
  const { canEdit } = useMe();
  return (
    <PageFrame
      title="Business hours"
      lead="When queues and numbers are open, in their own time zone, with holidays. Outside them callers hear the closed message or go elsewhere."
      actions={
        canEdit && (
          <Button asChild variant="primary">
            <Link href="/admin/schedules/new" data-testid="schedule-add">
              Add a schedule
            </Link>
          </Button>
        )
      }
    >
      <ListToolbar q={state.q} onSearch={(q) => set({ q }, 'replace')} label="Search by name or time zone" />
      {error && <Banner>{error}</Banner>}
      <DataTable
        caption="Business-hours schedules"
        testId="schedules-table"
        columns={COLUMNS}
        rowId={(r) => r.id}
        {...listTableProps(list, data, loading)}
        empty={state.q ? 'No schedule matches this search.' : 'No schedule yet: add one, then pick it in a queue or a number.'}
      />
    </PageFrame>
  );
}
