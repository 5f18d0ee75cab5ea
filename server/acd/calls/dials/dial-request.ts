import { ConfirmClip, H, LegId, NoticeClip, ParallelFlag, RecordFlag, RingTimeout } from '../../../shared/sip-control';
import { MixMode } from '../../../shared/sip-control-ops';
import type { MixRole } from '../mixing';
import type { SipRequest } from '../../sip/message';
import type { SipFailure } from '../sip-status';

/** What the bank's dial INVITE asks for (docs/sip-control-dialect.md). */
export interface DialRequest {
  /** The parked leg to bridge to; null for a number check. */
  bridgeTo: string | null;
  ringSec: number;
  record: boolean;
  /** X-PB-Notice: the clip the caller hears before a recorded bridge; null: none */
  notice: string | null;
  /** Join this leg's call (a mixing bridge) on answer, instead of a two-party bridge. */
  join: { legId: string; role: MixRole } | null;
  /** ring-all: other dials for the same caller may be in progress */
  parallel: boolean;
  /** press-1 accept (X-PB-Confirm): on answer play this clip to the device and wait for the controller, instead of bridging */
  confirm: string | null;
  /** a queued callback for this inbound caller's leg (X-PB-Callback-For): the number must be theirs (callback-ledger.ts) */
  callbackFor: string | null;
}

/** X-PB-Join with X-PB-Mode and X-PB-Whisper-To, checked; undefined when absent. */
function parseJoin(req: SipRequest): DialRequest['join'] | SipFailure {
  const raw = req.headers.get(H.join);
  if (raw === undefined) return null;
  const leg = LegId.safeParse(raw.trim());
  if (!leg.success) return { status: 400, reason: `Bad ${H.join}` };
  const mode = MixMode.safeParse((req.headers.get(H.mode) ?? 'talk').trim().toLowerCase());
  if (!mode.success) return { status: 400, reason: `Bad ${H.mode}` };
  const wRaw = req.headers.get(H.whisperTo);
  const whisper = wRaw === undefined ? null : LegId.safeParse(wRaw.trim());
  if (whisper && !whisper.success) return { status: 400, reason: `Bad ${H.whisperTo}` };
  if ((mode.data === 'whisper') !== (whisper !== null)) return { status: 400, reason: `${H.whisperTo} Goes With Whisper` };
  return { legId: leg.data, role: { mode: mode.data, whisperTo: whisper ? whisper.data : null } };
}

/** The X-PB-* headers of a dial, checked; a 400/503 for one that is wrong. */
export function parseDialRequest(req: SipRequest, defaults: { ringTimeoutSec: number; canRecord: boolean }): DialRequest | SipFailure {
  const bridgeRaw = req.headers.get(H.bridge);
  const bridge = bridgeRaw === undefined ? null : LegId.safeParse(bridgeRaw);
  if (bridge && !bridge.success) return { status: 400, reason: `Bad ${H.bridge}` };
  const rtRaw = req.headers.get(H.ringTimeout);
  const ring = rtRaw === undefined ? { success: true as const, data: defaults.ringTimeoutSec } : RingTimeout.safeParse(rtRaw);
  if (!ring.success) return { status: 400, reason: `Bad ${H.ringTimeout}` };
  const recRaw = req.headers.get(H.record);
  const rec = recRaw === undefined ? { success: true as const, data: 'off' as const } : RecordFlag.safeParse(recRaw.trim().toLowerCase());
  if (!rec.success) return { status: 400, reason: `Bad ${H.record}` };
  const record = rec.data === 'on';
  // a recording is of a bridge; a number check has none
  if (record && !bridge) return { status: 400, reason: `${H.record} Needs ${H.bridge}` };
  if (record && !defaults.canRecord) return { status: 503, reason: 'Recording Not Available' };
  const noticeRaw = req.headers.get(H.notice);
  const notice = noticeRaw === undefined ? null : NoticeClip.safeParse(noticeRaw.trim());
  if (notice && !notice.success) return { status: 400, reason: `Bad ${H.notice}` };
  // the notice tells the caller of a recording: without one it would say something untrue
  if (notice && !record) return { status: 400, reason: `${H.notice} Needs ${H.record}` };
  const join = parseJoin(req);
  if (join && 'status' in join) return join;
  if (join && bridge) return { status: 400, reason: `${H.join} Or ${H.bridge}` };
  if (join && record) return { status: 400, reason: `${H.record} Needs ${H.bridge}` };
  const parRaw = req.headers.get(H.parallel);
  const par = parRaw === undefined ? { success: true as const, data: 'off' as const } : ParallelFlag.safeParse(parRaw.trim().toLowerCase());
  if (!par.success) return { status: 400, reason: `Bad ${H.parallel}` };
  const confRaw = req.headers.get(H.confirm);
  const confirm = confRaw === undefined ? null : ConfirmClip.safeParse(confRaw.trim());
  if (confirm && !confirm.success) return { status: 400, reason: `Bad ${H.confirm}` };
  // the device is asked before anything is bridged or mixed: with a caller to bridge later (an
  // operator's offer) or alone (a supervisor's mobile, joined to a call later). Not on a join, which
  // mixes at answer; and a recording then starts on demand once the controller bridges (the dial's
  // own recording is of its bridge)
  if (confirm && join) return { status: 400, reason: `${H.confirm} Not With ${H.join}` };
  if (confirm && record) return { status: 400, reason: `${H.record} Not With ${H.confirm}` };
  const cbRaw = req.headers.get(H.callbackFor);
  const cb = cbRaw === undefined ? null : LegId.safeParse(cbRaw.trim());
  if (cb && !cb.success) return { status: 400, reason: `Bad ${H.callbackFor}` };
  // a callback calls the number alone; the operator's device is bridged to it afterwards
  if (cb && (bridge || join)) return { status: 400, reason: `${H.callbackFor} Without ${H.bridge}` };
  return { bridgeTo: bridge ? bridge.data : null, ringSec: ring.data, record, notice: notice ? notice.data : null, join: join ?? null, parallel: par.data === 'on', callbackFor: cb ? cb.data : null, confirm: confirm ? confirm.data : null };
}
