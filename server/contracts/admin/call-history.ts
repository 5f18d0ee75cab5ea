import { z } from 'zod';
import { CallOutcome, EndedBy } from '../call';
import { CodeSlug } from '../call-work';
import { RowId } from './paging';

/**
 * The call history (GET /api/admin/calls) and its CSV export (GET /api/admin/calls.csv): one set
 * of filters, read by the API and written into the history page's URL by the page, so a view can
 * be bookmarked and the download button exports exactly the rows on screen (all pages of them).
 * Browser-safe: zod only.
 */

/** An empty query value (`?queue=`) means "no filter", as the page's cleared fields send it. */
const blank = (v: unknown) => (v === '' ? undefined : v);
function opt<S extends z.ZodType>(s: S) {
  return z.preprocess(blank, s.optional());
}

const Instant = z.iso.datetime({ offset: true, error: 'a date and time with its offset, e.g. 2026-12-01T00:00:00+01:00' });
const Seconds = z.coerce.number({ error: 'a number of seconds' }).int('whole seconds').min(0, 'at least 0 seconds').max(86_400, 'at most a day (86400 s)');

/** A caller's number or its first digits: "+44 1632 96…" typed any way; stored numbers are E.164. */
export const CallerPrefix = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(/^\+?\d{1,15}$/, 'digits of the caller\u2019s number, e.g. +441632 (it matches numbers that start so)'))
  .transform((s) => (s.startsWith('+') ? s : `+${s}`));

export const Direction = z.enum(['inbound', 'outbound']);
export type Direction = z.infer<typeof Direction>;

export const HISTORY_FILTER_KEYS = ['from', 'to', 'queue', 'operator', 'outcome', 'caller', 'minTalk', 'maxTalk', 'disposition', 'direction'] as const;

const filterShape = {
  /** arrived at or after (inclusive) */
  from: opt(Instant),
  /** arrived before (exclusive) */
  to: opt(Instant),
  queue: opt(RowId),
  operator: opt(RowId),
  outcome: opt(CallOutcome),
  caller: opt(CallerPrefix),
  /** talk time bounds, seconds (inclusive) */
  minTalk: opt(Seconds),
  maxTalk: opt(Seconds),
  disposition: opt(CodeSlug),
  direction: opt(Direction),
};

interface RangeFields {
  from?: string | undefined;
  to?: string | undefined;
  minTalk?: number | undefined;
  maxTalk?: number | undefined;
}
function checkRanges(v: RangeFields, ctx: z.RefinementCtx): void {
  if (v.from && v.to && Date.parse(v.from) >= Date.parse(v.to)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'the end must be after the start' });
  if (v.minTalk !== undefined && v.maxTalk !== undefined && v.minTalk > v.maxTalk) ctx.addIssue({ code: 'custom', path: ['maxTalk'], message: 'the longest talk time must not be below the shortest' });
}

export const HISTORY_SORTS = ['arrived', 'wait', 'talk'] as const;
export type HistorySort = (typeof HISTORY_SORTS)[number];

export const CallHistoryQuery = z
  .object({
    ...filterShape,
    sort: z.enum(HISTORY_SORTS, { error: `sort by one of: ${HISTORY_SORTS.join(', ')}` }).default('arrived'),
    dir: z.enum(['asc', 'desc'], { error: 'asc or desc' }).default('desc'),
    page: z.coerce.number({ error: 'a page number' }).int().min(1, 'pages start at 1').max(100_000).default(1),
    pageSize: z.coerce.number({ error: 'a page size' }).int().min(1, 'at least 1 row').max(100, 'at most 100 rows a page').default(25),
  })
  .strict()
  .superRefine(checkRanges);
export type CallHistoryQuery = z.infer<typeof CallHistoryQuery>;
export type CallHistoryFilters = Omit<CallHistoryQuery, 'sort' | 'dir' | 'page' | 'pageSize'>;

/** An IANA time zone the runtime knows ("Europe/London"); the export writes its times in it. */
export const TimeZone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'a time zone name such as Europe/London or UTC');

export const CallExportQuery = z
  .object({ ...filterShape, tz: TimeZone.default('UTC') })
  .strict()
  .superRefine(checkRanges);
export type CallExportQuery = z.infer<typeof CallExportQuery>;

/** One row of the history: plain facts, times in ms since epoch, durations in ms. */
export interface CallHistoryRow {
  id: string;
  arrivedAt: number;
  direction: Direction;
  /** E.164, or null for a caller from the website (no number) */
  callerNumber: string | null;
  /** the name the caller's phone or the website gave, if any */
  callerName: string | null;
  dialed: string;
  queue: string | null;
  operatorName: string | null;
  waitMs: number | null;
  talkMs: number | null;
  endedAt: number | null;
  endedBy: EndedBy | null;
  outcome: CallOutcome | null;
  disposition: string | null;
}
