'use client';
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { IntervalsReport, QueuesReport, StatesReport } from '@/server/contracts/reports';

/**
 * The report's charts, drawn with Recharts (a well-kept React chart library: SVG, so the charts
 * stay sharp and their text is real text; works with React 19). The numbers under each chart are
 * in its table or its CSV, so the chart is not the only way to read them.
 */
const COLORS = { answered: '#1d7a3e', abandoned: '#b3261e', short: '#d99a00', sl: '#124e8c' };

export function IntervalsChart({ r }: { r: IntervalsReport }) {
  // one day of quarter hours is 96 bars: the axis shows the time only, and fewer ticks
  const oneDay = r.from === r.to && r.interval !== 'day';
  const data = r.rows.map((x) => ({ ...x, at: oneDay ? x.label.slice(11) : x.label, sl: x.serviceLevelPct }));
  return (
    <div className="h-72 w-full" data-testid="report-intervals-chart">
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="at" minTickGap={16} tick={{ fontSize: 12 }} />
          <YAxis yAxisId="calls" allowDecimals={false} width={36} tick={{ fontSize: 12 }} />
          <YAxis yAxisId="sl" orientation="right" domain={[0, 100]} unit="%" width={44} tick={{ fontSize: 12 }} />
          <Tooltip />
          <Legend />
          <Bar yAxisId="calls" dataKey="answered" name="Answered" stackId="c" fill={COLORS.answered} isAnimationActive={false} />
          <Bar yAxisId="calls" dataKey="abandoned" name="Hung up waiting" stackId="c" fill={COLORS.abandoned} isAnimationActive={false} />
          <Bar yAxisId="calls" dataKey="shortAbandoned" name="Hung up at once" stackId="c" fill={COLORS.short} isAnimationActive={false} />
          <Line yAxisId="sl" dataKey="sl" name="Service level" stroke={COLORS.sl} strokeWidth={2} dot={{ r: 2 }} connectNulls isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Callers by how long they waited, answered and hung up, over the chosen queue (or all of them). */
export function WaitChart({ r, queueId }: { r: QueuesReport; queueId: string }) {
  const rows = r.rows.filter((x) => !queueId || x.queueId === queueId);
  const data = r.waitBuckets.map((label, i) => ({
    label,
    answered: rows.reduce((s, x) => s + (x.answeredByWait[i] ?? 0), 0),
    abandoned: rows.reduce((s, x) => s + (x.abandonedByWait[i] ?? 0), 0),
  }));
  return (
    <div className="h-64 w-full" data-testid="report-wait-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          {/* slanted, so the six labels fit side by side on a phone */}
          <XAxis dataKey="label" interval={0} angle={-30} textAnchor="end" height={52} tick={{ fontSize: 11 }} />
          <YAxis allowDecimals={false} width={36} tick={{ fontSize: 12 }} />
          <Tooltip />
          <Legend />
          <Bar dataKey="answered" name="Answered after" fill={COLORS.answered} isAnimationActive={false} />
          <Bar dataKey="abandoned" name="Hung up after" fill={COLORS.abandoned} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Fixed colours for the working states; the not-ready reasons take shades of grey and brown in turn. */
const STATE_COLORS: Record<string, string> = { ready: '#1d7a3e', reserved: '#7bbf8e', talking: '#124e8c', wrap_up: '#6a4fb3' };
const NOT_READY_COLORS = ['#8a5a00', '#b3261e', '#5f6368', '#a0522d', '#9aa0a6', '#d99a00', '#3c4043'];

/**
 * Each operator's time in each state as one horizontal bar of hours (stacked), so a shift reads
 * left to right as a share of the time signed in; the exact figures are in the CSV.
 */
export function StatesChart({ r }: { r: StatesReport }) {
  // hours for a shift, minutes for a short look (today at 08:30)
  const unit = Math.max(0, ...r.rows.map((x) => x.signedInMs)) >= 2 * 3_600_000 ? { ms: 3_600_000, text: 'h' } : { ms: 60_000, text: 'min' };
  const data = r.rows.map((x) => ({ name: x.name, ...Object.fromEntries(r.states.map((s) => [s.key, Math.round((100 * (x.ms[s.key] ?? 0)) / unit.ms) / 100])) }));
  let nr = 0;
  const color = (key: string) => STATE_COLORS[key] ?? NOT_READY_COLORS[nr++ % NOT_READY_COLORS.length]!;
  const bars = r.states.map((s) => ({ ...s, fill: color(s.key) }));
  return (
    // room for the legend (three lines on a phone) besides a bar per operator
    <div className="w-full" style={{ height: 150 + 44 * r.rows.length }} data-testid="report-states-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 12, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" unit={` ${unit.text}`} tick={{ fontSize: 12 }} />
          <YAxis type="category" dataKey="name" width={96} tick={{ fontSize: 12 }} />
          <Tooltip formatter={(v) => `${String(v)} ${unit.text}`} />
          {/* in the bars' order (working states first), not Recharts' alphabetical default */}
          <Legend itemSorter={null} />
          {bars.map((b) => (
            <Bar key={b.key} dataKey={b.key} name={b.label} stackId="s" fill={b.fill} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
