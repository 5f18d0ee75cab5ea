import { z } from 'zod';
import { LegId, NodeId } from './sip-control';

/**
 * The controller's in-call requests (docs/sip-control-dialect.md, "In-call requests"): an
 * INFO on a leg's control dialog whose body is one JSON object of this union. The leg the
 * request acts on is the leg of that control dialog; other legs are named by id. Both the
 * ACD (which refuses a body that fails the schema with 400) and the CTI's bank (which builds
 * them) use these schemas.
 */
export const CONTROL_OP_CONTENT_TYPE = 'application/vnd.patchbay.control+json';
/** A request body larger than this is refused (413) before it is parsed. */
export const CONTROL_OP_MAX_BYTES = 1024;

/** What a member of a mixing bridge contributes: `talk` (everyone hears it), `listen` (nobody), `whisper` (only `whisperTo`). */
export const MixMode = z.enum(['talk', 'listen', 'whisper']);
export type MixMode = z.infer<typeof MixMode>;

export const DtmfDigits = z.string().regex(/^[0-9*#A-D]{1,32}$/, 'digits are 0-9, *, #, A-D (1 to 32)');
export const DtmfDurationMs = z.number().int().min(40).max(2000);

/** `whisperTo` is required for `whisper` and refused otherwise. */
const whisperNamed = (v: { mode: MixMode; whisperTo?: string | undefined }) => (v.mode === 'whisper') === (v.whisperTo !== undefined);
const WHISPER_RULE = { message: 'whisperTo is required for whisper and only for it', path: ['whisperTo'] };

export const ControlOp = z.union([
  /** Park the bridged leg with its music; its peer is left alone (a caller on music, a device waiting). */
  z.object({ op: z.literal('hold') }).strict(),
  /** Re-bridge a held leg to the peer it was held from. */
  z.object({ op: z.literal('resume') }).strict(),
  /** The leg's audio is replaced by silence for everyone who hears it; it still hears them. */
  z.object({ op: z.literal('mute') }).strict(),
  z.object({ op: z.literal('unmute') }).strict(),
  /** Digits sent toward the leg's party: RFC 4733 events, or SIP INFO when it negotiated none. */
  z.object({ op: z.literal('dtmf'), digits: DtmfDigits, durationMs: DtmfDurationMs.optional() }).strict(),
  /** Bridge the leg to another leg (out of whatever it is in); its previous peer is left alone. */
  z.object({ op: z.literal('bridge'), to: LegId }).strict(),
  /** Join the mixing bridge of `with` (made from its two-party bridge, or from it alone, when it has none). */
  z.object({ op: z.literal('join'), with: LegId, mode: MixMode.default('talk'), whisperTo: LegId.optional() }).strict().refine(whisperNamed, WHISPER_RULE),
  /** Change what the leg contributes to its mixing bridge. */
  z.object({ op: z.literal('mode'), mode: MixMode, whisperTo: LegId.optional() }).strict().refine(whisperNamed, WHISPER_RULE),
  /** Leave the mixing bridge: the leg is left alone. */
  z.object({ op: z.literal('leave') }).strict(),
  /** A parked caller's control moves to a bank UA of another CTI node (re-offered there with its arrival); answered once that node took it. */
  z.object({ op: z.literal('handoff'), node: NodeId }).strict(),
]);
export type ControlOp = z.infer<typeof ControlOp>;
export type ControlOpName = ControlOp['op'];
