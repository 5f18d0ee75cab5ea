import { z } from 'zod';
import { AudioName, E164, H, LegEndCause, LegId } from '../../shared/sip-control';
import { fieldErrors } from '../../contracts/result';

/**
 * Parsing of the X-PB-* headers the ACD sends (docs/sip-control-dialect.md), with the shared
 * zod schemas. Pure: takes a header getter so it can be tested without a SIP stack.
 */
export type HeaderGetter = (name: string) => string | undefined;

export interface RoutePointOffer {
  legId: string;
  dialed: string;
  audio: string | null;
}

const RoutePointHeaders = z.object({
  legId: LegId,
  dialed: E164,
  audio: AudioName.nullable(),
});

export type ParseResult<T> = { ok: true; value: T } | { ok: false; fields: Record<string, string> };

function header(get: HeaderGetter, name: string): string | undefined {
  const v = get(name);
  return v === undefined || v === '' ? undefined : v.trim();
}

/** The headers of the ACD's INVITE to the route point. */
export function parseRoutePointInvite(get: HeaderGetter): ParseResult<RoutePointOffer> {
  const r = RoutePointHeaders.safeParse({
    legId: header(get, H.leg),
    dialed: header(get, H.dialed),
    audio: header(get, H.audio) ?? null,
  });
  if (r.success) return { ok: true, value: r.data };
  const names: Record<string, string> = { legId: H.leg, dialed: H.dialed, audio: H.audio };
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(fieldErrors(r.error))) fields[names[k] ?? k] = v;
  return { ok: false, fields };
}

/** X-PB-Leg of the ACD's 200 to a dial INVITE: the id of the new device leg. */
export function parseLegHeader(get: HeaderGetter): string | null {
  const r = LegId.safeParse(header(get, H.leg));
  return r.success ? r.data : null;
}

/** X-PB-Cause of a BYE from the ACD; an absent or unknown cause reads as `error`. */
export function parseCause(get: HeaderGetter | null): LegEndCause {
  if (!get) return 'error';
  const r = LegEndCause.safeParse(header(get, H.cause));
  return r.success ? r.data : 'error';
}

/** The headers of a dial INVITE (bank → ACD). */
export function dialHeaders(bridgeTo: string | null, ringTimeoutSec: number): string[] {
  const ring = `${H.ringTimeout}: ${Math.round(ringTimeoutSec)}`;
  return bridgeTo === null ? [ring] : [`${H.bridge}: ${LegId.parse(bridgeTo)}`, ring];
}

/**
 * The digit of an `application/dtmf-relay` INFO body (`Signal=5\r\nDuration=160`), as the ACD
 * sends them on a leg's control dialog; null for any other content.
 */
export function parseDtmfRelay(contentType: string | undefined, body: string): string | null {
  if (!(contentType ?? '').toLowerCase().startsWith('application/dtmf-relay')) return null;
  const m = /^Signal\s*=\s*([0-9*#A-Da-d])\s*$/m.exec(body);
  return m ? m[1]!.toUpperCase() : null;
}
