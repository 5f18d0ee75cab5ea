import { z } from 'zod';

/**
 * The announcement primitive of the control dialect (docs/sip-control-dialect.md,
 * "Announcements"): the controller asks the ACD to play clips to a parked caller and then
 * release it or give it its music again, with an in-dialog INFO on the caller's control dialog. Kept apart from
 * sip-control.ts so that the dialect's other primitives can grow beside it.
 */
export const ANNOUNCE_H = {
  /** bank → ACD (INFO on a caller's control dialog): the clips to play once each, in turn, by name (comma-separated). */
  play: 'X-PB-Play',
  /** bank → ACD (with X-PB-Play): what follows the clips; `release` = BYE the caller, `music` = the hold music again. */
  then: 'X-PB-Then',
} as const;

/** A clip's name as the ACD's clip library names files (`closed.wav` → `closed`). */
export const ClipName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a clip name: lower-case letters, digits, dash, underscore');
export const ThenAction = z.enum(['release', 'music']);
export type ThenAction = z.infer<typeof ThenAction>;
/** the most clips one announcement may chain (a position and wait prompt needs at most 9) */
export const MAX_ANNOUNCE_CLIPS = 24;

export const AnnounceRequest = z.object({ clips: z.array(ClipName).min(1, 'name a clip').max(MAX_ANNOUNCE_CLIPS, `at most ${MAX_ANNOUNCE_CLIPS} clips`), then: ThenAction }).strict();
export type AnnounceRequest = z.infer<typeof AnnounceRequest>;

export type AnnounceParse = { ok: true; value: AnnounceRequest } | { ok: false; header: string; message: string };

/** The announcement asked by an INFO's headers (`get` reads a header, undefined when absent). */
export function parseAnnounce(get: (name: string) => string | undefined): AnnounceParse {
  const play = get(ANNOUNCE_H.play);
  const r = AnnounceRequest.safeParse({ clips: play === undefined ? undefined : play.split(',').map((c) => c.trim()), then: get(ANNOUNCE_H.then)?.trim() ?? 'release' });
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const header = issue?.path[0] === 'then' ? ANNOUNCE_H.then : ANNOUNCE_H.play;
  return { ok: false, header, message: issue?.message ?? 'bad value' };
}

/** The headers of the controller's INFO. */
export function announceHeaders(req: AnnounceRequest): string[] {
  const v = AnnounceRequest.parse(req);
  return [`${ANNOUNCE_H.play}: ${v.clips.join(',')}`, `${ANNOUNCE_H.then}: ${v.then}`];
}
