import path from 'node:path';
import { H, NoticeClip, RecordFlag } from '../../shared/sip-control';
import type { MediaBridge } from '../media/media-engine';
import { makeResponse } from '../sip/builders';
import type { SipRequest, SipResponse } from '../sip/message';
import type { CallContext } from './call-context';
import type { Leg } from './leg';

/**
 * Recording on demand (docs/sip-control-dialect.md, "Recording on demand"): the controller's
 * INFO on a bridged leg's control dialog (caller's or device's) with `X-PB-Record: on` starts
 * recording the bridge, `off` stops it. The 200 to `on` names the file (`X-PB-Recording`); the
 * 200 to `off` is sent once the file is finalised, naming it too, so the controller may read it
 * at once. A bridge may be recorded several times; the n-th file gets `-<n>` (n ≥ 2).
 * With `X-PB-Notice: <clip>` on an `on` that starts a file, the caller alone hears the clip
 * (the bridge's `tell`); the 200 echoes the header when it is played.
 */
export class RecordControl {
  /** per bridge: how many files were started on demand, and the current one */
  private readonly files = new WeakMap<MediaBridge, { count: number; current: string | null }>();

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
    const dir = this.ctx.cfg.recordingsDir;
    if (!dir) return makeResponse(req, 503, { reason: 'Recording Not Available' });
    const bridge = leg.bridge;
    if (!bridge || leg.ended) return makeResponse(req, 403, { reason: 'Leg Not Bridged' });
    const [caller, device] = leg.kind === 'caller' ? [leg, bridge.peer] : [bridge.peer, leg];
    const handle = bridge.handle;
    const seen = this.files.get(handle) ?? { count: 0, current: null };
    this.files.set(handle, seen);
    if (flag.data === 'on') {
      if (handle.recording) return makeResponse(req, 200, { headers: seen.current ? [[H.recording, seen.current]] : [] });
      const name = `${caller.id}-${device.id}${seen.count === 0 ? '' : `-${seen.count + 1}`}.wav`;
      if (!handle.startRecording(path.join(dir, name))) return makeResponse(req, 403, { reason: 'Leg Not Bridged' });
      seen.count++;
      seen.current = name;
      leg.log.info({ recording: name }, 'recording the bridge on demand');
      // the caller alone hears that it is now recorded (the operator's console says so)
      const told = notice?.success && caller.endpoint ? handle.tell(caller.endpoint, notice.data) : false;
      return makeResponse(req, 200, { headers: [[H.recording, name], ...(told && notice?.success ? ([[H.notice, notice.data]] as Array<[string, string]>) : [])] });
    }
    const name = seen.current;
    seen.current = null;
    const stopped = await handle.stopRecording();
    if (stopped) leg.log.info({ recording: name }, 'recording stopped on demand; file finalised');
    return makeResponse(req, 200, { headers: stopped && name ? [[H.recording, name]] : [] });
  }
}
