import { z } from 'zod';
import { LegId } from './sip-control';

/**
 * Recovery in the control dialect (docs/sip-control-dialect.md, "Recovery"): when a bank UA
 * registers the route point again, the ACD offers it every leg whose control dialog died with
 * the bank's old connection, each in an INVITE to the route point like the first offer, plus
 * `X-PB-Recovered` saying what the leg is doing now. A re-offer creates no call: it only reports
 * a leg the ACD already holds, and the 2xx replaces the leg's dead control dialog.
 *
 * `X-PB-Recovered: <state>;kind=<caller|device>;since=<ms since the epoch>[;peer=<leg id>]`
 */
export const RECOVERY_H = { recovered: 'X-PB-Recovered' } as const;

/** What a recovered leg is doing (the ACD's leg states a leg can be in with a control dialog). */
export const RecoveredState = z.enum(['parked', 'bridged', 'held', 'waiting', 'mixed']);
export type RecoveredState = z.infer<typeof RecoveredState>;

export const Recovered = z
  .object({
    state: RecoveredState,
    kind: z.enum(['caller', 'device']),
    /** when the leg began: a caller's arrival, a device's dial */
    since: z.coerce.number().int().min(0).max(8.64e15),
    /** bridged: the leg it is bridged to; held: the leg it is held from (absent otherwise) */
    peer: LegId.nullable(),
  })
  .strict()
  .refine((r) => r.kind === 'caller' || r.state !== 'parked', { message: 'only a caller is parked' })
  .refine((r) => (r.state === 'bridged' ? r.peer !== null : true), { message: 'a bridged leg names its peer' });
export type Recovered = z.infer<typeof Recovered>;

/** The header's value for a leg (throws on a value the schema refuses: the ACD's own bug). */
export function formatRecovered(r: Recovered): string {
  const v = Recovered.parse(r);
  return `${v.state};kind=${v.kind};since=${v.since}${v.peer ? `;peer=${v.peer}` : ''}`;
}

export type RecoveredParse = { ok: true; value: Recovered } | { ok: false; message: string };

/** Reads the header's value; a malformed one is an error to report, never a throw. */
export function parseRecovered(value: string): RecoveredParse {
  const [state, ...params] = value.split(';').map((p) => p.trim());
  const fields: Record<string, string> = {};
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq <= 0) return { ok: false, message: `bad parameter "${p}"` };
    const k = p.slice(0, eq).trim().toLowerCase();
    if (k in fields) return { ok: false, message: `parameter ${k} twice` };
    fields[k] = p.slice(eq + 1).trim();
  }
  const { kind, since, peer, ...rest } = fields;
  if (since !== undefined && !/^\d{1,16}$/.test(since)) return { ok: false, message: 'since: milliseconds since the epoch' };
  const r = Recovered.safeParse({ state, kind, since, peer: peer ?? null, ...rest });
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  return { ok: false, message: `${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'bad value'}` };
}
