import { z } from 'zod';

/**
 * Server-side paging, sorting and search for every admin list. The page keeps these in its URL;
 * the API reads the same names from the query string. Each list names the columns it may sort by.
 */
export function listQuery<const K extends readonly [string, ...string[]]>(sortKeys: K, defaultSort: K[number]) {
  return z
    .object({
      q: z.string().trim().max(100, 'search for at most 100 characters').default(''),
      sort: z.enum(sortKeys, { error: `sort by one of: ${sortKeys.join(', ')}` }).default(defaultSort),
      dir: z.enum(['asc', 'desc']).default('asc'),
      page: z.coerce.number().int().min(1).max(100_000).default(1),
      pageSize: z.coerce.number().int().min(1).max(100).default(20),
    })
    .strict();
}

export interface Page<T> {
  rows: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** The version a save was based on (optimistic concurrency: a stale one is refused with 409). */
export const Version = z.number({ error: 'the version this edit is based on is missing' }).int().min(1);

/** Who changed an object last, and when (ms since epoch); shown next to every editable object. */
export interface ChangeStamp {
  version: number;
  updatedAt: number;
  updatedByName: string | null;
}

/** A level from 1 (can) to 10 (expert), for skills, required skills and queue memberships. */
export const Level = z.number({ error: 'a level from 1 to 10' }).int('a level from 1 to 10').min(1, 'a level from 1 to 10').max(10, 'a level from 1 to 10');

/** An id of one of our rows, as it appears in a path. */
export const RowId = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'not an id');

/** A hold/announcement clip's name as the ACD's clip library knows it (a file name without .wav). */
export const AudioName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a clip name: letters, digits, dot, dash, underscore (at most 64)');

/** An E.164 number: + and 7 to 15 digits (the same rule as the SIP edge's). */
export const E164Number = z
  .string({ error: 'enter a number in international format, e.g. +441632960123' })
  .trim()
  .transform((s) => s.replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/, 'an international number: + then 7 to 15 digits, e.g. +441632960123'));
