import type { CallContext } from './call-context';
import type { Leg } from './leg';
import { OK, type OpResult } from './leg-moves';

/** RFC 4733's usual digit length when the controller names none. */
export const DEFAULT_DTMF_MS = 160;

/**
 * Digits the controller sends toward a leg's party (to drive a remote IVR): RFC 4733
 * telephone-events in the leg's own RTP stream when the party negotiated them, otherwise
 * SIP INFO `application/dtmf-relay` on the party's dialog, one digit per INFO, each sent
 * when the previous one was answered. Accepted at once (200); a refused INFO is logged.
 */
export class DtmfOut {
  constructor(private readonly ctx: CallContext) {}

  send(leg: Leg, digits: string, durationMs = DEFAULT_DTMF_MS): OpResult {
    if (!leg.endpoint || !leg.partyDialog) return { status: 409, reason: 'Not Answered' };
    if (leg.endpoint.sendDtmf(digits, durationMs)) return OK;
    leg.log.info({ digits: digits.length }, 'party negotiated no telephone-event: DTMF as SIP INFO');
    this.info(leg, [...digits], durationMs);
    return OK;
  }

  private info(leg: Leg, digits: string[], durationMs: number): void {
    const digit = digits.shift();
    const dialog = leg.partyDialog;
    if (digit === undefined || !dialog || leg.ended) return;
    const body = `Signal=${digit}\r\nDuration=${durationMs}\r\n`;
    this.ctx.clientTx.send(dialog.request('INFO', [], body, 'application/dtmf-relay'), dialog.flow, (res) => {
      if (res.status >= 300) leg.log.warn({ status: res.status }, 'party refused a DTMF INFO');
      this.info(leg, digits, durationMs);
    });
  }
}
