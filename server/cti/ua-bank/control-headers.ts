import { LegQuality } from '../../contracts/call-quality';
import { z } from 'zod';
import { AudioName, ConfirmClip, DialNonce, E164, H, LegEndCause, LegId, NoticeClip, RecordingName } from '../../shared/sip-control';
import { fieldErrors } from '../../contracts/result';
import { MixMode } from '../../shared/sip-control-ops';
import { parseRecovered, RECOVERY_H, type Recovered } from '../../shared/sip-recovery';
import type { MixRoleRequest } from '../ports/leg-control-port';
import type { DialRequest } from '../ports/bank-port';

/** What of a dial request its headers carry. */
export type DialHeaderFields = Pick<DialRequest, 'bridgeTo' | 'ringTimeoutSec' | 'join' | 'record' | 'parallel' | 'callbackFor' | 'notice' | 'confirm'>;

/**
 * Parsing of the X-PB-* headers the ACD sends (docs/sip-control-dialect.md), with the shared
 * zod schemas. Pure: takes a header getter so it can be tested without a SIP stack.
 */
export type HeaderGetter = (name: string) => string | undefined;

export interface RoutePointOffer {
  legId: string;
  dialed: string;
  audio: string | null;
  /** the single-use nonce for the first dial that bridges this leg (X-PB-Nonce); null: that dial is challenged */
  nonce: string | null;
}

const RoutePointHeaders = z.object({
  legId: LegId,
  dialed: E164,
  audio: AudioName.nullable(),
  nonce: DialNonce.nullable(),
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
    nonce: header(get, H.nonce) ?? null,
  });
  if (r.success) return { ok: true, value: r.data };
  const names: Record<string, string> = { legId: H.leg, dialed: H.dialed, audio: H.audio, nonce: H.nonce };
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(fieldErrors(r.error))) fields[names[k] ?? k] = v;
  return { ok: false, fields };
}

/** A recovery re-offer (X-PB-Recovered present): the leg, its state, and a caller's number and audio (a device has none). */
export interface RecoveredOffer extends Recovered {
  legId: string;
  dialed: string | null;
  audio: string | null;
}

const RecoveredHeaders = z.object({ legId: LegId, dialed: E164.nullable(), audio: AudioName.nullable() });

/** null: no X-PB-Recovered (a first offer); otherwise the re-offer's headers, each checked. */
export function parseRecoveredOffer(get: HeaderGetter): ParseResult<RecoveredOffer> | null {
  const raw = header(get, RECOVERY_H.recovered);
  if (raw === undefined) return null;
  const rec = parseRecovered(raw);
  const r = RecoveredHeaders.safeParse({ legId: header(get, H.leg), dialed: header(get, H.dialed) ?? null, audio: header(get, H.audio) ?? null });
  const fields: Record<string, string> = rec.ok ? {} : { [RECOVERY_H.recovered]: rec.message };
  if (!r.success) {
    const names: Record<string, string> = { legId: H.leg, dialed: H.dialed, audio: H.audio };
    for (const [k, v] of Object.entries(fieldErrors(r.error))) fields[names[k] ?? k] = v;
  }
  if (!rec.ok || !r.success) return { ok: false, fields };
  if (rec.value.kind === 'caller' && r.data.dialed === null) return { ok: false, fields: { [H.dialed]: 'a recovered caller names its number' } };
  return { ok: true, value: { ...rec.value, ...r.data } };
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

/**
 * The headers of a dial INVITE (bank → ACD), from the bank's request: `join` (a mixing bridge)
 * replaces `bridgeTo`; `record` asks the ACD to record the bridge, `notice` (with `record`) to tell
 * the caller first; `parallel` marks a ring-all dial; `callbackFor` names the inbound caller a
 * number dial calls back (no bridge); `confirm` asks the device to accept with 1 before anything is
 * bridged (press-1: no recording on the dial then, it starts on demand at the bridge) — with no bridge,
 * before the controller joins it to a call (a supervisor's mobile); never on a join. Throws on a bad leg id or clip name.
 */
export function dialHeaders(req: DialHeaderFields): string[] {
  const ring = `${H.ringTimeout}: ${Math.round(req.ringTimeoutSec)}`;
  const { join } = req;
  if (join) {
    const mode = MixMode.parse(join.mode);
    return [`${H.join}: ${LegId.parse(join.legId)}`, `${H.mode}: ${mode}`, ...(join.mode === 'whisper' ? [`${H.whisperTo}: ${LegId.parse(join.whisperTo)}`] : []), ring];
  }
  const confirm = req.confirm ?? null;
  if (req.bridgeTo === null) return [ring, ...(req.callbackFor ? [`${H.callbackFor}: ${LegId.parse(req.callbackFor)}`] : []), ...(confirm === null ? [] : [`${H.confirm}: ${ConfirmClip.parse(confirm)}`])];
  const record = req.record === true && confirm === null;
  return [
    `${H.bridge}: ${LegId.parse(req.bridgeTo)}`,
    ring,
    ...(record ? [`${H.record}: on`] : []),
    ...(record && req.notice ? [`${H.notice}: ${NoticeClip.parse(req.notice)}`] : []),
    ...(req.parallel ? [`${H.parallel}: on`] : []),
    ...(confirm === null ? [] : [`${H.confirm}: ${ConfirmClip.parse(confirm)}`]),
  ];
}

/** The headers of an INFO that starts or stops recording a bridge (bank → ACD); `notice` tells the caller as it starts. */
export function recordHeaders(on: boolean, notice?: string): string[] {
  return [`${H.record}: ${on ? 'on' : 'off'}`, ...(on && notice ? [`${H.notice}: ${NoticeClip.parse(notice)}`] : [])];
}

/** X-PB-Notice of the ACD's 200: the caller was told with this clip (null: not told). */
export function parseNoticeHeader(get: HeaderGetter): string | null {
  const r = NoticeClip.safeParse(header(get, H.notice));
  return r.success ? r.data : null;
}

/** X-PB-Recording of the ACD's 200 to a recorded dial: the file's name (leg ids only); null when absent or malformed. */
export function parseRecordingHeader(get: HeaderGetter): string | null {
  const r = RecordingName.safeParse(header(get, H.recording));
  return r.success ? r.data : null;
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

/**
 * The figures of the ACD's call-quality INFO (`application/vnd.patchbay.quality+json`,
 * `{"lossPct":…,"jitterMs":…,"packets":…}`), checked with the shared schema; null for any other
 * body or one that fails it (a report is dropped, never a crash).
 */
export function parseQualityInfo(contentType: string | undefined, body: string): LegQuality | null {
  if (!(contentType ?? '').toLowerCase().startsWith('application/vnd.patchbay.quality+json')) return null;
  try {
    const r = LegQuality.safeParse(JSON.parse(body));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
