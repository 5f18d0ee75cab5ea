'use client';
import { useMemo, useState, type ReactNode } from 'react';
import type { IntervalsReport, OperatorsReport, QueuesReport } from '@/server/contracts/reports';
import { statesOf } from '@/server/contracts/reports-states';
import { Button } from '../../_components/ui/button';
import { Input, Select } from '../../_components/ui/inputs';
import { Banner, PageFrame } from '../_parts/page-frame';
import { useApi } from '../_lib/use-api';
import { IntervalsChart, StatesChart, WaitChart } from './report-charts';
import { daysBefore, duration, INTERVAL_TEXT, percent, todayIn } from './report-words';

type Interval = keyof typeof INTERVAL_TEXT;

/**
 * Reports (docs/reports.md): calls and service level per interval, each operator's figures, each
 * queue's abandon rate and how long callers waited, for the days chosen (the site's days; empty
 * means today). Each part has its own CSV download of exactly the rows it shows.
 */
export function ReportsView() {
  const [days, setDays] = useState({ from: '', to: '' });
  const [interval, setIv] = useState<Interval>('60');
  const [queueId, setQueueId] = useState('');
  const badRange = days.from !== '' && days.to !== '' && days.to < days.from;
  const qs = useMemo(() => {
    const p = new URLSearchParams({ interval });
    if (days.from) p.set('from', days.from);
    if (days.to) p.set('to', days.to);
    return p.toString();
  }, [days, interval]);
  const path = (chart: string) => (badRange ? null : `/api/admin/reports/${chart}?${qs}`);
  const intervals = useApi<IntervalsReport>(path('intervals'));
  const operators = useApi<OperatorsReport>(path('operators'));
  const queues = useApi<QueuesReport>(path('queues'));
  const tz = intervals.data?.timeZone ?? queues.data?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const today = todayIn(tz);
  const shown = intervals.data ? `${intervals.data.from === intervals.data.to ? intervals.data.from : `${intervals.data.from} to ${intervals.data.to}`} (${intervals.data.timeZone} time)` : '';
  const totalCalls = intervals.data?.rows.reduce((s, x) => s + x.offered, 0) ?? 0;
  const loading = intervals.loading || operators.loading || queues.loading;
  const error = intervals.error ?? operators.error ?? queues.error;

  return (
    <PageFrame title="Reports" lead="Calls, service level, operators and queues for the days you choose. Each part can be downloaded as a CSV file for a spreadsheet.">
      <div className="mb-4 flex flex-wrap items-end gap-3" role="search" aria-label="Choose the days">
        <Labelled label="From day" id="report-from">
          <Input id="report-from" type="date" value={days.from || (intervals.data?.from ?? '')} max={today} onChange={(e) => setDays((d) => ({ ...d, from: e.target.value }))} data-testid="report-from" />
        </Labelled>
        <Labelled label="To day (included)" id="report-to">
          <Input id="report-to" type="date" value={days.to || (intervals.data?.to ?? '')} max={today} onChange={(e) => setDays((d) => ({ ...d, to: e.target.value }))} data-testid="report-to" aria-invalid={badRange} />
        </Labelled>
        <Labelled label="Calls per" id="report-interval">
          <Select id="report-interval" value={interval} onChange={(e) => setIv(e.target.value as Interval)} data-testid="report-interval">
            {Object.entries(INTERVAL_TEXT).map(([v, t]) => (
              <option key={v} value={v}>
                {t}
              </option>
            ))}
          </Select>
        </Labelled>
        <Button onClick={() => setDays({ from: today, to: today })} data-testid="report-today">
          Today
        </Button>
        <Button onClick={() => setDays({ from: daysBefore(today, 6), to: today })} data-testid="report-week">
          Last 7 days
        </Button>
        <span className="self-center text-muted" role="status" data-testid="report-status">
          {loading ? 'Loading the report…' : shown ? `Showing ${shown}` : ''}
        </span>
      </div>
      {badRange && <Banner>The “to” day is before the “from” day: choose a “to” day on or after {days.from}.</Banner>}
      {error && !badRange && <Banner>{error}</Banner>}

      <Part title="Calls and service level" csv={badRange ? null : `/api/admin/reports/intervals?${qs}&format=csv`} name="intervals">
        {!intervals.data ? (
          <p className="text-muted">Loading the report…</p>
        ) : totalCalls === 0 ? (
          <p className="m-0 text-muted" data-testid="report-empty">
            No calls reached a queue on these days. Choose other days above, or look again once callers have rung in.
          </p>
        ) : (
          <>
            <p className="m-0 text-muted" data-testid="report-total">
              {totalCalls} {totalCalls === 1 ? 'call' : 'calls'} reached a queue. Service level: answered within the queue's target time, of the calls whose wait is over.
            </p>
            <IntervalsChart r={intervals.data} />
          </>
        )}
      </Part>

      <Part title="Operators" csv={badRange ? null : `/api/admin/reports/operators?${qs}&format=csv`} name="operators">
        {!operators.data ? (
          <p className="text-muted">Loading the report…</p>
        ) : operators.data.rows.length === 0 ? (
          <p className="m-0 text-muted">Nobody was signed in on these days. Choose other days above.</p>
        ) : (
          <OperatorTable r={operators.data} />
        )}
      </Part>

      <Part title="Time in each state" csv={badRange ? null : `/api/admin/reports/states?${qs}&format=csv`} name="states">
        {!operators.data ? (
          <p className="text-muted">Loading the report…</p>
        ) : operators.data.rows.every((x) => x.signedInMs === 0) ? (
          <p className="m-0 text-muted">Nobody was signed in on these days, so there is no time to show. Choose other days above.</p>
        ) : (
          <StatesPart r={operators.data} />
        )}
      </Part>

      <Part title="Queues: callers who hung up, and how long callers waited" csv={badRange ? null : `/api/admin/reports/queues?${qs}&format=csv`} name="queues">
        {!queues.data ? (
          <p className="text-muted">Loading the report…</p>
        ) : (
          <>
            <QueueTable r={queues.data} />
            {queues.data.rows.some((q) => q.offered > 0) ? (
              <>
              <div className="mt-4 flex flex-wrap items-end gap-3">
                <Labelled label="Waits of" id="report-wait-queue">
                  <Select id="report-wait-queue" value={queueId} onChange={(e) => setQueueId(e.target.value)} data-testid="report-wait-queue">
                    <option value="">All queues</option>
                    {queues.data.rows.map((q) => (
                      <option key={q.queueId} value={q.queueId}>
                        {q.name}
                      </option>
                    ))}
                  </Select>
                </Labelled>
              </div>
                <WaitChart r={queues.data} queueId={queueId} />
              </>
            ) : (
              <p className="m-0 mt-2 text-muted">No caller waited in a queue on these days, so there are no waits to show. Choose other days above.</p>
            )}
          </>
        )}
      </Part>
    </PageFrame>
  );
}

function Labelled({ label, id, children }: { label: string; id: string; children: ReactNode }) {
  return (
    <div className="grid gap-1">
      <label htmlFor={id} className="text-sm font-semibold">
        {label}
      </label>
      {children}
    </div>
  );
}

function Part({ title, csv, name, children }: { title: string; csv: string | null; name: string; children: ReactNode }) {
  return (
    <section className="mb-5 rounded-box border border-border bg-surface p-4 sm:p-5" aria-label={title} data-testid={`report-${name}`}>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 className="m-0 text-lg">{title}</h2>
        {csv ? (
          <Button asChild size="sm">
            <a href={csv} download data-testid={`report-${name}-csv`}>
              Download CSV
            </a>
          </Button>
        ) : (
          <Button size="sm" disabled title="Correct the days first" data-testid={`report-${name}-csv`}>
            Download CSV (correct the days first)
          </Button>
        )}
      </div>
      {children}
    </section>
  );
}

function OperatorTable({ r }: { r: OperatorsReport }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left" data-testid="report-operators-table">
        <caption className="sr-only">Each operator's calls and time</caption>
        <thead>
          <tr className="text-sm text-muted">
            <th className="p-2">Operator</th>
            <th className="p-2 text-right">Calls handled</th>
            <th className="p-2 text-right">Average handle time</th>
            <th className="p-2 text-right" title="Time talking and in wrap-up, of the time signed in and not on a break (not ready)">Occupancy</th>
            <th className="p-2 text-right">Missed calls</th>
            <th className="p-2 text-right">Signed in</th>
            <th className="p-2 text-right">Ready</th>
            <th className="p-2 text-right">Talking</th>
            <th className="p-2 text-right">Wrap-up</th>
            <th className="p-2 text-right">Not ready</th>
          </tr>
        </thead>
        <tbody>
          {r.rows.map((x) => (
            <tr key={x.operatorId} className="border-t border-border" data-testid={`report-operator-${x.operatorId}`}>
              <td className="p-2 font-semibold">{x.name}</td>
              <td className="p-2 text-right" data-testid="handled">{x.handled}</td>
              <td className="p-2 text-right">{duration(x.avgHandleMs)}</td>
              <td className="p-2 text-right">{percent(x.occupancyPct)}</td>
              <td className="p-2 text-right">{x.missedOffers}</td>
              <td className="p-2 text-right">{duration(x.signedInMs)}</td>
              <td className="p-2 text-right">{duration(x.stateMs.ready + x.stateMs.reserved)}</td>
              <td className="p-2 text-right">{duration(x.stateMs.talking)}</td>
              <td className="p-2 text-right">{duration(x.stateMs.wrap_up)}</td>
              <td className="p-2 text-right">{duration(x.stateMs.not_ready)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="m-0 mt-2 text-sm text-muted">Occupancy: time talking and in wrap-up, of the time signed in and not “Not ready”. Ready includes time a call was ringing.</p>
    </div>
  );
}

/** The chart, and the same figures in words under it (for a screen reader, and to read one exactly). */
function StatesPart({ r }: { r: OperatorsReport }) {
  const s = statesOf(r);
  return (
    <>
      <p className="m-0 text-muted">Each operator's time signed in, by state. Not ready is split by the reason the operator chose.</p>
      <StatesChart r={s} />
      <details className="mt-2">
        <summary className="cursor-pointer text-sm">The figures</summary>
        <ul className="m-0 mt-2 grid gap-1 pl-5 text-sm">
          {s.rows.map((x) => (
            <li key={x.operatorId} data-testid={`report-states-${x.operatorId}`}>
              <span className="font-semibold">{x.name}</span>: signed in {duration(x.signedInMs)} —{' '}
              {s.states
                .filter((st) => (x.ms[st.key] ?? 0) > 0)
                .map((st) => (
                  <span key={st.key} data-testid={`state-${st.key}`} className="whitespace-nowrap">
                    {st.label} {duration(x.ms[st.key] ?? 0)}
                  </span>
                ))
                .flatMap((el, i) => (i === 0 ? [el] : [<span key={`sep-${i}`}>, </span>, el]))}
            </li>
          ))}
        </ul>
      </details>
    </>
  );
}

function QueueTable({ r }: { r: QueuesReport }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left" data-testid="report-queues-table">
        <caption className="sr-only">Each queue's calls</caption>
        <thead>
          <tr className="text-sm text-muted">
            <th className="p-2">Queue</th>
            <th className="p-2 text-right">Calls</th>
            <th className="p-2 text-right">Answered</th>
            <th className="p-2 text-right">Hung up waiting</th>
            <th className="p-2 text-right">Hang-up rate</th>
            <th className="p-2 text-right">Service level</th>
          </tr>
        </thead>
        <tbody>
          {r.rows.map((x) => (
            <tr key={x.queueId} className="border-t border-border" data-testid={`report-queue-${x.queueId}`}>
              <td className="p-2 font-semibold">{x.name}</td>
              <td className="p-2 text-right" data-testid="offered">{x.offered}</td>
              <td className="p-2 text-right">{x.answered}</td>
              <td className="p-2 text-right">{x.abandoned}</td>
              <td className="p-2 text-right">{percent(x.abandonRatePct)}</td>
              <td className="p-2 text-right">{percent(x.serviceLevelPct)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
