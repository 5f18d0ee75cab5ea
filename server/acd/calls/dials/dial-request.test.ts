import { describe, expect, it } from 'vitest';
import { SipHeaders, type SipRequest } from '../../sip/message';
import { parseDialRequest } from './dial-request';

/** The dial INVITE's X-PB-* headers as the ACD reads them: X-PB-Confirm (press-1 accept) and its rules. */
const LEG = 'leg-00000000000000a1';
function invite(headers: Array<[string, string]>): SipRequest {
  const h = new SipHeaders();
  for (const [n, v] of headers) h.append(n, v);
  return { kind: 'request', method: 'INVITE', uri: 'sip:dev-x@patchbay.local', headers: h, body: '' };
}
const parse = (headers: Array<[string, string]>, canRecord = true) => parseDialRequest(invite(headers), { ringTimeoutSec: 20, canRecord });

describe('parseDialRequest: X-PB-Confirm', () => {
  it('takes a clip name with a bridge; without the header there is no confirm', () => {
    expect(parse([['X-PB-Bridge', LEG], ['X-PB-Confirm', 'press1-q-support']])).toMatchObject({ bridgeTo: LEG, confirm: 'press1-q-support', record: false });
    expect(parse([['X-PB-Bridge', LEG]])).toMatchObject({ bridgeTo: LEG, confirm: null });
  });

  it('takes one without a bridge: the answered device hears the clip and waits for the controller (a supervisor’s mobile)', () => {
    expect(parse([['X-PB-Confirm', 'say-monitor-press1']])).toMatchObject({ bridgeTo: null, join: null, confirm: 'say-monitor-press1', record: false });
  });

  it('refuses a bad clip name, a confirm on a join (it mixes at answer), and a dial recording with it', () => {
    expect(parse([['X-PB-Bridge', LEG], ['X-PB-Confirm', 'Press 1!']])).toEqual({ status: 400, reason: 'Bad X-PB-Confirm' });
    expect(parse([['X-PB-Bridge', LEG], ['X-PB-Confirm', '']])).toEqual({ status: 400, reason: 'Bad X-PB-Confirm' });
    expect(parse([['X-PB-Join', LEG], ['X-PB-Confirm', 'say-press1']])).toEqual({ status: 400, reason: 'X-PB-Confirm Not With X-PB-Join' });
    expect(parse([['X-PB-Bridge', LEG], ['X-PB-Confirm', 'say-press1'], ['X-PB-Record', 'on']])).toEqual({ status: 400, reason: 'X-PB-Record Not With X-PB-Confirm' });
  });
});
