import { z } from 'zod';

/**
 * Device reach in the control dialect (docs/sip-control-dialect.md, "Device reach"): each ACD
 * node tells its own bank which device AORs its registrar holds, so a CTI serving several nodes
 * offers a caller only to operators whose device the caller's node can ring. In the manner of
 * RFC 3680's reg event package (a full state, then partial changes, a version to order them), but
 * an unsolicited NOTIFY to the route point with a JSON body: the bank never subscribes, the
 * ACD sends on its route bindings as it sends offers.
 *
 * ```
 * NOTIFY sip:route@<domain>
 * Event: x-pb-devices
 * Subscription-State: active
 * Content-Type: application/x-patchbay-devices+json
 *
 * {"epoch":"<ACD process id>","version":7,"state":"partial","devices":[{"aor":"dev-…","state":"active"}]}
 * ```
 * `epoch` changes when the ACD restarts (its versions start again); `version` rises with every
 * notice of that epoch; `full` lists every device AOR registered now (the others are not),
 * `partial` only those whose reachability changed.
 */
export const REACH_EVENT = 'x-pb-devices';
export const REACH_CONTENT_TYPE = 'application/x-patchbay-devices+json';

/** A device AOR's user part as the CTI grants it (server/shared/credentials.ts: `dev-` and a token). */
const DeviceAor = z.string().regex(/^dev-[A-Za-z0-9_-]{1,64}$/, 'a device AOR user (dev-…)');

export const ReachNotice = z
  .object({
    epoch: z.string().regex(/^[A-Za-z0-9_-]{4,64}$/),
    version: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    state: z.enum(['full', 'partial']),
    devices: z.array(z.object({ aor: DeviceAor, state: z.enum(['active', 'terminated']) }).strict()).max(100_000),
  })
  .strict();
export type ReachNotice = z.infer<typeof ReachNotice>;

/** The body the ACD sends (throws on a value the schema refuses: the ACD's own bug). */
export function formatReachNotice(n: ReachNotice): string {
  return JSON.stringify(ReachNotice.parse(n));
}

export type ReachParse = { ok: true; value: ReachNotice } | { ok: false; message: string };

/** Reads a NOTIFY's body; anything malformed is an error to report, never a throw. */
export function parseReachNotice(contentType: string | undefined, body: string): ReachParse {
  if ((contentType ?? '').split(';')[0]!.trim().toLowerCase() !== REACH_CONTENT_TYPE) return { ok: false, message: `Content-Type is not ${REACH_CONTENT_TYPE}` };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, message: 'body is not JSON' };
  }
  const r = ReachNotice.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  return { ok: false, message: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'bad value'}` };
}
