import { H, LegId, RecordFlag, RingTimeout } from '../../../shared/sip-control';
import type { SipRequest } from '../../sip/message';
import type { SipFailure } from '../sip-status';

/** What the bank's dial INVITE asks for (docs/sip-control-dialect.md). */
export interface DialRequest {
  /** The parked leg to bridge to; null for a number check. */
  bridgeTo: string | null;
  ringSec: number;
  record: boolean;
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
  return { bridgeTo: bridge ? bridge.data : null, ringSec: ring.data, record };
}
