import { makeResponse } from '../sip/builders';
import type { SipRequest, SipResponse } from '../sip/message';
import type { CallContext } from './call-context';
import type { Leg } from './leg';

/**
 * Digits a party pressed — RFC 4733 events from its media, or SIP INFO from a phone —
 * told to the controller as an INFO on the leg's control dialog in the common SIP INFO
 * DTMF format (application/dtmf-relay). Digits pressed while no control dialog is up are
 * dropped (logged).
 */
export class DtmfRelay {
  constructor(private readonly ctx: CallContext) {}

  relay(leg: Leg, digit: string, durationMs: number): void {
    // a caller's keys are what a later callback dial may call (their own number, or one they keyed)
    if (leg.kind === 'caller') this.ctx.callbacks.pressed(leg.id, leg.partyAddr.uri, digit);
    const dialog = leg.controlDialog;
    if (leg.ended || !dialog || leg.control !== 'up') {
      leg.log.info({ digit }, 'DTMF with no control dialog up: not relayed');
      return;
    }
    const body = `Signal=${digit}\r\nDuration=${durationMs}\r\n`;
    this.ctx.clientTx.send(dialog.request('INFO', [], body, 'application/dtmf-relay'), dialog.flow, (res) => {
      if (res.status >= 300) leg.log.debug({ status: res.status, digit }, 'controller refused the DTMF INFO');
    });
  }

  /** An INFO from a party: `application/dtmf-relay` is relayed; other packages are refused (415). */
  partyInfo(leg: Leg, req: SipRequest): SipResponse {
    const ct = (req.headers.get('Content-Type') ?? '').toLowerCase();
    if (!ct.startsWith('application/dtmf-relay')) return makeResponse(req, 415, { headers: [['Accept', 'application/dtmf-relay']] });
    const signal = /^Signal\s*=\s*([0-9*#A-D])\s*$/im.exec(req.body)?.[1];
    const duration = Number(/^Duration\s*=\s*(\d{1,5})\s*$/im.exec(req.body)?.[1] ?? 160);
    if (!signal) return makeResponse(req, 400, { reason: 'Bad dtmf-relay Body' });
    this.relay(leg, signal.toUpperCase(), duration);
    return makeResponse(req, 200);
  }
}
