import { H, NoticeClip, RecordFlag } from '../../shared/sip-control';
import { makeResponse } from '../sip/builders';
import type { SipRequest, SipResponse } from '../sip/message';
import type { CallContext } from './call-context';
import type { Leg } from './leg';
import { recordedLegOf, startLegRecording, stopLegRecording } from './leg-recording';

/**
 * Recording on demand (docs/sip-control-dialect.md, "Recording on demand"): the controller's
 * INFO on a bridged or mixed leg's control dialog (caller's or device's) with `X-PB-Record: on`
 * starts recording the call's caller leg (leg-recording.ts: the file spans holds, mixes and
 * re-bridges), `off` stops it. The 200 to `on` names the file (`X-PB-Recording`); the 200 to
 * `off` is sent once the file is finalised, naming it too, so the controller may read it at once.
 * With `X-PB-Notice: <clip>` on an `on` that starts a file, the caller alone hears the clip —
 * through its two-party bridge's `tell` or its mix seat's (a conference, a barge, a monitored
 * call: the others go on hearing each other and the caller) — and the 200 echoes the header when
 * it is played. A held caller is not told (it hears its music; no echo, so the console does not claim it).
 */
export class RecordControl {
  constructor(private readonly ctx: CallContext) {}

  /** True for a control INFO this module answers (it carries X-PB-Record). */
  handles(req: SipRequest): boolean {
    return req.headers.get(H.record) !== undefined;
  }

  async onControlInfo(leg: Leg, req: SipRequest): Promise<SipResponse> {
    const flag = RecordFlag.safeParse((req.headers.get(H.record) ?? '').trim().toLowerCase());
    if (!flag.success) return makeResponse(req, 400, { reason: `Bad ${H.record}` });
    const noticeRaw = req.headers.get(H.notice);
    const notice = noticeRaw === undefined ? null : NoticeClip.safeParse(noticeRaw.trim());
    if (notice && (!notice.success || flag.data === 'off')) return makeResponse(req, 400, { reason: `Bad ${H.notice}` });
    if (!this.ctx.cfg.recordingsDir) return makeResponse(req, 503, { reason: 'Recording Not Available' });
    const call = recordedLegOf(this.ctx, leg);
    if (!call) return makeResponse(req, 403, { reason: 'Leg Not Bridged' });
    const { recorded, other } = call;
    if (flag.data === 'on') {
      if (recorded.recording) return makeResponse(req, 200, { headers: [[H.recording, recorded.recording.name]] });
      const name = startLegRecording(this.ctx, recorded, other);
      if (!name) return makeResponse(req, 403, { reason: 'Leg Not Bridged' });
      // the caller alone hears that it is now recorded (the operator's console says so)
      const told = notice?.success ? tell(recorded, notice.data) : false;
      return makeResponse(req, 200, { headers: [[H.recording, name], ...(told && notice?.success ? ([[H.notice, notice.data]] as Array<[string, string]>) : [])] });
    }
    const name = await stopLegRecording(recorded);
    if (name) leg.log.info({ recording: name }, 'recording stopped on demand; file finalised');
    return makeResponse(req, 200, { headers: name ? [[H.recording, name]] : [] });
  }
}

/** Plays `clip` to the leg alone in whatever call it is in now; false when it is in none (held, alone). */
function tell(leg: Leg, clip: string): boolean {
  if (leg.mix) return leg.mix.tell(clip);
  const bridge = leg.bridge?.handle;
  return bridge && leg.endpoint ? bridge.tell(leg.endpoint, clip) : false;
}
