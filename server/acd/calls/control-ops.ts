import { CONTROL_OP_CONTENT_TYPE, CONTROL_OP_MAX_BYTES, ControlOp } from '../../shared/sip-control-ops';
import { makeResponse } from '../sip/builders';
import type { SipRequest, SipResponse } from '../sip/message';
import type { Flow } from '../transport/flow';
import type { DtmfOut } from './dtmf-out';
import type { Leg } from './leg';
import type { DialogRole } from './leg-table';
import { OK, type LegMoves, type OpResult } from './leg-moves';
import type { LegHandoff } from './leg-handoff';
import type { Mixing } from './mixing';

/** True when a request carries a controller's in-call request body (whoever sent it). */
export function isControlOp(req: SipRequest): boolean {
  return (req.headers.get('Content-Type') ?? '').toLowerCase().startsWith(CONTROL_OP_CONTENT_TYPE);
}

/** A Warning header (RFC 3261 §20.43) carrying why a request was refused, made safe for a quoted string. */
function warning(text: string): [string, string] {
  return ['Warning', `399 patchbay "${text.replace(/["\\\r\n]/g, ' ').slice(0, 200)}"`];
}

/**
 * The controller's in-call requests (docs/sip-control-dialect.md, "In-call requests"): an
 * INFO with a JSON body (shared/sip-control-ops.ts) on a leg's control dialog. Only the
 * bank may ask: the control dialog was made by an authenticated dial or by the ACD's offer
 * to a registered route point, and the request must arrive on that dialog's own connection.
 * The same request on a party's dialog is refused 403 and changes nothing.
 */
export class ControlOps {
  constructor(
    private readonly moves: LegMoves,
    private readonly dtmf: DtmfOut,
    private readonly mixing: Mixing,
    private readonly handoffs: LegHandoff,
  ) {}

  /** 403 unless `req` came from the leg's controller: on its control dialog, over that dialog's own connection. */
  notFromController(leg: Leg, role: DialogRole, req: SipRequest, flow: Flow): SipResponse | null {
    if (role !== 'control') {
      leg.log.warn({ method: req.method }, 'in-call control request on a party dialog refused');
      return makeResponse(req, 403, { reason: 'Not A Controller' });
    }
    if (!leg.controlDialog || leg.controlDialog.flow !== flow || leg.control !== 'up') {
      leg.log.warn('control request from another connection than its control dialog refused');
      return makeResponse(req, 403, { reason: 'Not A Controller' });
    }
    return null;
  }

  /** The answer, or its promise for a request that waits on another party (a handoff waits for the other node's 2xx). */
  handle(leg: Leg, role: DialogRole, req: SipRequest, flow: Flow): SipResponse | Promise<SipResponse> {
    const refused = this.notFromController(leg, role, req, flow);
    if (refused) return refused;
    if (!isControlOp(req)) return makeResponse(req, 415, { headers: [['Accept', CONTROL_OP_CONTENT_TYPE]] });
    if (Buffer.byteLength(req.body) > CONTROL_OP_MAX_BYTES) return makeResponse(req, 413);
    let json: unknown;
    try {
      json = JSON.parse(req.body);
    } catch {
      return makeResponse(req, 400, { reason: 'Bad Control Request', headers: [warning('the body is not JSON')] });
    }
    const parsed = ControlOp.safeParse(json);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      leg.log.warn({ why }, 'control request refused: schema');
      return makeResponse(req, 400, { reason: 'Bad Control Request', headers: [warning(why)] });
    }
    const op = parsed.data;
    const answer = (r: OpResult): SipResponse => {
      leg.log.info({ op: op.op, status: r.status }, 'control request');
      return 'reason' in r ? makeResponse(req, r.status, { reason: r.reason }) : makeResponse(req, r.status);
    };
    if (op.op === 'handoff') {
      const r = this.handoffs.handoff(leg, op.node, flow);
      return r instanceof Promise ? r.then(answer) : answer(r);
    }
    return answer(this.run(leg, op));
  }

  private run(leg: Leg, op: Exclude<ControlOp, { op: 'handoff' }>): OpResult {
    switch (op.op) {
      case 'hold':
        return this.moves.hold(leg);
      case 'resume':
        return this.moves.resume(leg);
      case 'mute':
      case 'unmute':
        if (!leg.endpoint) return { status: 409, reason: 'Not Answered' };
        leg.muted = op.op === 'mute';
        leg.endpoint.setMuted(leg.muted);
        return OK;
      case 'dtmf':
        return this.dtmf.send(leg, op.digits, op.durationMs);
      case 'bridge':
        return this.moves.rebridge(leg, op.to);
      case 'join':
        return this.mixing.join(leg, op.with, { mode: op.mode, whisperTo: op.whisperTo ?? null });
      case 'mode':
        return this.mixing.setMode(leg, { mode: op.mode, whisperTo: op.whisperTo ?? null });
      case 'leave':
        return this.mixing.leave(leg);
    }
  }
}
