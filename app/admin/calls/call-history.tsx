'use client';
import { createColumnHelper } from '@tanstack/react-table';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { HISTORY_FILTER_KEYS, type CallHistoryRow } from '@/server/contracts/admin/call-history';
import type { Page } from '@/server/contracts/admin/paging';
import { api } from '../../_lib/api';
import { formatDuration } from '../../_lib/time';
import { Button } from '../../_components/ui/button';
import { DataTable, type dataTableFeatures } from '../../_components/ui/data-table';
import { callerText, DIRECTION_TEXT, ENDED_BY_TEXT, OUTCOME_TEXT } from '../_lib/call-words';
import { formatWhen } from '../_lib/format';
import { listTableProps } from '../_lib/list-table-props';
import { useListState } from '../_lib/use-list-state';
import { Banner, PageFrame } from '../_parts/page-frame';
import { HistoryFilters } from './history-filters';
import { browserTimeZone, historyApiFilters } from './history-query';
import { useStoredCalls } from './use-stored-calls';

/**
 * Every stored call, newest first, paged and sorted by the server (GET /api/admin/calls), the
 * filters in the URL. A call that arrives or ends while the page is open appears without Refresh:
 * once the CTI has stored its row it says so on the socket (`history:stored`) and the page reads
 * its current view again. The download exports
 * the same filters, every page of them, as CSV in the browser's time zone.
 */
const PAGE_SIZE = 25;
const duration = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));
const col = createColumnHelper<typeof dataTableFeatures, CallHistoryRow>();
const COLUMNS = col.columns([
  col.accessor('arrivedAt', { id: 'arrived', header: 'Arrived', cell: (c) => <span className="num whitespace-nowrap">{formatWhen(c.getValue())}</span> }),
  col.accessor('callerNumber', {
    header: 'Caller',
    enableSorting: false,
    cell: (c) => (
      <span className="whitespace-nowrap" data-testid={`history-caller-${c.row.original.id}`}>
        {c.row.original.callerName ?? callerText(c.getValue())}
        {(c.row.original.callerName || c.row.original.direction === 'outbound') && (
          <span className="block text-sm text-muted">
            {[c.row.original.callerName ? callerText(c.getValue()) : null, c.row.original.direction === 'outbound' ? DIRECTION_TEXT.outbound : null].filter(Boolean).join(' · ')}
          </span>
        )}
      </span>
    ),
  }),
  col.accessor('queue', { header: 'Queue', enableSorting: false, cell: (c) => c.getValue() ?? '—' }),
  col.accessor('operatorName', { header: 'Operator', enableSorting: false, cell: (c) => c.getValue() ?? '—' }),
  col.accessor('waitMs', { id: 'wait', header: 'Waited', cell: (c) => <span className="num">{duration(c.getValue())}</span> }),
  col.accessor('talkMs', { id: 'talk', header: 'Talked', cell: (c) => <span className="num">{duration(c.getValue())}</span> }),
  col.accessor('outcome', {
    header: 'How it ended',
    enableSorting: false,
    cell: (c) => {
      const o = c.getValue();
      const by = c.row.original.endedBy;
      if (!o) return <span className="text-muted">In progress</span>;
      return (
        <span data-testid={`history-outcome-${c.row.original.id}`}>
          {OUTCOME_TEXT[o]}
          {/* who hung up says something new only for an answered call ("Caller hung up while waiting" says it already) */}
          {by && o === 'completed' && <span className="block text-sm text-muted">{ENDED_BY_TEXT[by]}{by === 'system' ? ' ended it' : ' hung up'}</span>}
        </span>
      );
    },
  }),
  col.accessor('disposition', { header: 'Outcome chosen', enableSorting: false, cell: (c) => c.getValue() ?? <span className="text-muted">—</span> }),
  col.display({
    id: 'open',
    header: () => <span className="visually-hidden">Details</span>,
    cell: (c) => (
      <a href={`/admin/calls/${encodeURIComponent(c.row.original.id)}`} data-testid={`history-open-${c.row.original.id}`}>
        Details
      </a>
    ),
  }),
]);

export function CallHistory() {
  const list = useListState('arrived', HISTORY_FILTER_KEYS, PAGE_SIZE, 'desc');
  const { state, set } = list;
  const filters = useMemo(() => historyApiFilters(state.filters), [state.filters]);
  const query = useMemo(() => {
    const p = new URLSearchParams(filters);
    p.set('sort', state.sort);
    p.set('dir', state.dir);
    p.set('page', String(state.page));
    p.set('pageSize', String(PAGE_SIZE));
    return p.toString();
  }, [filters, state.sort, state.dir, state.page]);

  const [data, setData] = useState<Page<CallHistoryRow> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [loading, setLoading] = useState(false);
  const load = useCallback(
    async (live: { current: boolean }) => {
      setLoading(true);
      const r = await api<Page<CallHistoryRow>>(`/api/admin/calls?${query}`);
      if (!live.current) return;
      setLoading(false);
      if (r.ok) {
        setData(r.data);
        setError(null);
        setFieldErrors({});
      } else {
        setError(r.error.fields ? 'Some filters are not right: see the marked fields.' : r.error.message);
        setFieldErrors(r.error.fields ?? {});
      }
    },
    [query],
  );
  useEffect(() => {
    const live = { current: true };
    void load(live);
    return () => {
      live.current = false;
    };
  }, [load]);
  const link = useStoredCalls(() => load({ current: true }));

  const filtered = HISTORY_FILTER_KEYS.some((k) => state.filters[k]);
  const csv = useMemo(() => {
    const p = new URLSearchParams(filters);
    p.set('tz', browserTimeZone());
    return `/api/admin/calls.csv?${p.toString()}`;
  }, [filters]);
  const bad = Object.keys(fieldErrors).length > 0;

  return (
    <PageFrame
      title="Call history"
      lead="Every stored call. Filter, sort by a column, open a call for its story and recording; calls appear here as they arrive and end, without reloading."
      actions={
        <>
          <span className={`pill self-center ${link === 'live' ? 'ok' : link === 'down' ? 'bad' : 'wait'}`} data-testid="history-live" data-state={link} role="status">
            {link === 'live' ? 'Updating live' : link === 'connecting' ? 'Connecting…' : 'Not updating: reload the page'}
          </span>
          {bad ? (
            <Button disabled title="Correct the marked filters first" data-testid="history-csv">
              Download CSV (correct the filters first)
            </Button>
          ) : (
            <Button asChild variant="primary">
              <a href={csv} download data-testid="history-csv">
                Download CSV{data ? ` (${data.total.toLocaleString()} ${data.total === 1 ? 'call' : 'calls'})` : ''}
              </a>
            </Button>
          )}
        </>
      }
    >
      <HistoryFilters f={state.filters} set={set} errors={fieldErrors} />
      {filtered && (
        <p className="m-0 mb-3">
          <Button size="sm" variant="quiet" onClick={() => set(Object.fromEntries(HISTORY_FILTER_KEYS.map((k) => [k, ''])))} data-testid="history-clear">
            Clear all filters
          </Button>
        </p>
      )}
      {error && <Banner testId="history-error">{error}</Banner>}
      <DataTable
        caption="Call history"
        testId="history-table"
        columns={COLUMNS}
        rowId={(r) => r.id}
        {...listTableProps(list, data, loading)}
        empty={filtered ? 'No call matches these filters. Widen the dates or clear a filter.' : 'No calls stored yet. Calls appear here as soon as they end.'}
      />
    </PageFrame>
  );
}
