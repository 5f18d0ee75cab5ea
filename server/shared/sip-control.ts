import { z } from 'zod';
import { ClipName } from './sip-announce';

/**
 * The SIP control dialect between the CTI's bank and the ACD (see docs/sip-control-dialect.md).
 * Both sides parse these headers with the schemas below; a header that fails its schema makes
 * the ACD answer 400 and the CTI refuse the offer — never a crash.
 */
export const H = {
  /** ACD → route point (INVITE) and ACD → bank (200 to a dial): the id of the leg this control dialog controls. */
  leg: 'X-PB-Leg',
  /** ACD → route point: the number the caller dialled (E.164). */
  dialed: 'X-PB-Dialed',
  /** ACD → route point: the hold audio the leg is playing (name of a clip). */
  audio: 'X-PB-Audio',
  /**
   * ACD → route point: a fresh single-use digest nonce for the dial that bridges this leg, so the
   * bank's first dial carries its credentials at once instead of being challenged (407) first.
   */
  nonce: 'X-PB-Nonce',
  /** bank → ACD (dial INVITE): the parked leg to bridge the new device leg to. */
  bridge: 'X-PB-Bridge',
  /** bank → ACD (dial INVITE): seconds the ACD rings the device before giving up (408). */
  ringTimeout: 'X-PB-Ring-Timeout',
  /** ACD → bank (BYE): why the ACD ended the leg. */
  cause: 'X-PB-Cause',
  /** ACD → caller (in-dialog INFO): `bridged` when a device is connected, `parked` when back on hold. */
  state: 'X-PB-State',
  /** bank → ACD (dial INVITE with X-PB-Bridge): `on` asks the ACD to record the bridge. */
  record: 'X-PB-Record',
  /** bank → ACD (dial INVITE with X-PB-Bridge): `on` lets this dial ring while others for the same caller do (ring-all). */
  parallel: 'X-PB-Parallel',
  /**
   * bank → ACD (dial INVITE with X-PB-Record: on, or the INFO that starts a recording on demand):
   * the clip that tells the caller the call is recorded; ACD → bank (the 200): the clip the caller was told with.
   */
  notice: 'X-PB-Notice',
  /** ACD → bank (200 to a recorded dial): the recording's file name (never a path). */
  recording: 'X-PB-Recording',
  /** bank → ACD (dial INVITE, instead of X-PB-Bridge): on answer the new leg joins this leg's call in a mixing bridge. */
  join: 'X-PB-Join',
  /** bank → ACD (dial INVITE with X-PB-Join): `talk` (default), `listen` or `whisper`. */
  mode: 'X-PB-Mode',
  /** bank → ACD (dial INVITE with X-PB-Mode: whisper): the one leg that hears the new leg. */
  whisperTo: 'X-PB-Whisper-To',
  /**
   * bank → ACD (dial INVITE with X-PB-Bridge): press-1 accept. On answer the ACD does not bridge:
   * it plays this clip to the device only, over and over, leaves the device waiting and relays its
   * keys; the controller bridges (in-call `bridge`) or releases it.
   */
  confirm: 'X-PB-Confirm',
  /** bank → ACD (dial INVITE to a number, no X-PB-Bridge): a queued callback for this inbound caller's leg; the ACD dials only that caller's number or a number keyed on that leg, within its window. */
  callbackFor: 'X-PB-Callback-For',
} as const;

/** X-PB-Confirm: the clip the answered device hears until the controller decides (a clip name). */
export const ConfirmClip = ClipName;

/** X-PB-Nonce: one of the ACD's digest nonces, `<issued ms>.<salt>.<mac>` (server/acd/sip/digest.ts). */
export const DialNonce = z.string().regex(/^\d{1,16}\.[0-9a-f]{12}\.[A-Za-z0-9_-]{16,64}$/, 'a nonce is <ms>.<salt>.<mac>');
export const LegId = z.string().regex(/^leg-[0-9a-f]{16,32}$/, 'a leg id is leg-<hex>');
export type LegId = z.infer<typeof LegId>;
export const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number is + and 7 to 15 digits');
export const RingTimeout = z.coerce.number().int().min(5).max(120);
export const AudioName = z.string().regex(/^[a-z0-9-]{1,32}$/);
/** X-PB-Record: `on` records the bridge, `off` (same as no header) does not. */
export const RecordFlag = z.enum(['on', 'off']);
/** X-PB-Parallel: `on` allows other dials for the same caller at the same time; the first answer is bridged. */
export const ParallelFlag = z.enum(['on', 'off']);
/** X-PB-Notice: a clip's name, as in X-PB-Play (a built-in prompt or a library clip). */
export { ClipName as NoticeClip } from './sip-announce';
/** X-PB-Recording: `<callerLegId>-<deviceLegId>[-<n>].wav` (n ≥ 2: the bridge's n-th recording on demand), leg ids only (no operator data). */
export const RecordingName = z.string().regex(/^leg-[0-9a-f]{16,32}-leg-[0-9a-f]{16,32}(-[1-9][0-9]{0,2})?\.wav$/);

/** Why the ACD ended a leg: one fixed list, like JsSIP's end causes. */
export const LegEndCause = z.enum([
  'remote-bye', // the party hung up
  'cancel', // the party cancelled before answer
  'rtp-timeout', // no media for too long
  'transport-lost', // the party's connection closed
  'released', // the controller sent BYE
  'no-controller', // no route point could take the leg
  'session-expired', // RFC 4028: the party's session was not refreshed in time
  'played', // the controller's announcement (X-PB-Play, X-PB-Then: release) was played, then the party released
  'overloaded', // the ACD was past its capacity: the caller heard its queue's busy message, then was released (never offered)
  'error',
]);
export type LegEndCause = z.infer<typeof LegEndCause>;

/** The route point's AOR user part, registered by bank UAs. */
export const ROUTE_USER = 'route';

/** SDP of a control dialog: one audio stream that never carries media (written by the SDP module). */
export { controlSdp } from './sdp/control-sdp';
