import { makeResponse } from '../../sip/builders';
import type { CallContext } from '../call-context';
import type { Dial } from './dial';

/**
 * Ends a dial with one status to the bank and releases its device leg; the caller is left
 * as it is (parked, music on). A dial that already ended is left alone.
 */
export function failDial(ctx: CallContext, dial: Dial, status: number, why: string, reason?: string): void {
  if (!dial.transition('fail')) return;
  ctx.table.removeDial(dial);
  if (dial.deviceTx && !dial.deviceTx.done) ctx.clientTx.cancel(dial.deviceTx);
  dial.st.respond(makeResponse(dial.st.request, status, { toTag: dial.toTag, ...(reason ? { reason } : {}) }));
  dial.leg.log.info({ status, why }, 'dial failed');
  dial.leg.close(status === 487 ? 'cancel' : 'error', { byeParty: true });
}
