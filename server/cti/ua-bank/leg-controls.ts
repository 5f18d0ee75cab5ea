import type { RTCSession } from 'jssip/lib/RTCSession';
import type { Logger } from '../../log';
import { CONTROL_OP_CONTENT_TYPE, ControlOp } from '../../shared/sip-control-ops';
import type { ControlResult, LegControlPort, MixRoleRequest } from '../ports/leg-control-port';
import { sendInfo } from './send-info';

/**
 * The bank's in-call requests: one INFO with a JSON body (shared/sip-control-ops.ts) on the
 * leg's control dialog, answered by the ACD (`send-info.ts`); a dialog that ends first resolves
 * the request as failed (481).
 */
export class LegControls implements LegControlPort {
  constructor(
    private readonly sessionOf: (legId: string) => RTCSession | null,
    private readonly log: Logger,
  ) {}

  hold(legId: string): Promise<ControlResult> {
    return this.send(legId, { op: 'hold' });
  }

  resume(legId: string): Promise<ControlResult> {
    return this.send(legId, { op: 'resume' });
  }

  mute(legId: string, muted: boolean): Promise<ControlResult> {
    return this.send(legId, { op: muted ? 'mute' : 'unmute' });
  }

  sendDtmf(legId: string, digits: string, durationMs?: number): Promise<ControlResult> {
    return this.send(legId, { op: 'dtmf', digits, ...(durationMs === undefined ? {} : { durationMs }) });
  }

  bridge(legId: string, toLegId: string): Promise<ControlResult> {
    return this.send(legId, { op: 'bridge', to: toLegId });
  }

  join(legId: string, withLegId: string, role: MixRoleRequest): Promise<ControlResult> {
    return this.send(legId, { op: 'join', with: withLegId, ...role });
  }

  setMixMode(legId: string, role: MixRoleRequest): Promise<ControlResult> {
    return this.send(legId, { op: 'mode', ...role });
  }

  leave(legId: string): Promise<ControlResult> {
    return this.send(legId, { op: 'leave' });
  }

  private send(legId: string, raw: unknown): Promise<ControlResult> {
    const log = this.log.child({ legId });
    // the same schema as the ACD's: a request the ACD would refuse is refused here, unsent
    const parsed = ControlOp.safeParse(raw);
    if (!parsed.success) return Promise.resolve({ ok: false, status: 0, reason: parsed.error.issues.map((i) => i.message).join('; ') });
    const session = this.sessionOf(legId);
    if (!session || session.isEnded()) return Promise.resolve({ ok: false, status: 0, reason: 'no control dialog for this leg' });
    const op = parsed.data;
    return sendInfo(session, CONTROL_OP_CONTENT_TYPE, JSON.stringify(op)).then((a): ControlResult => {
      const r: ControlResult = a.status >= 200 && a.status < 300 ? { ok: true } : { ok: false, status: a.status, reason: a.reason };
      log.info({ op: op.op, ok: r.ok, status: a.status }, 'in-call request answered');
      return r;
    });
  }
}
