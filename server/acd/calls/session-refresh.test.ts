import { describe, expect, it, vi } from 'vitest';
import { sameSession } from './sdp-checks';
import { negotiateAsUas, parseSessionExpires, SessionTimer } from './session-refresh';
import { SipHeaders, type SipRequest } from '../sip/message';

const invite = (headers: Array<[string, string]>): SipRequest => ({ kind: 'request', method: 'INVITE', uri: 'sip:x@y', headers: SipHeaders.from(headers), body: '' });
const SDP = 'v=0\r\no=- 7 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n';

describe('RFC 4028 session timers', () => {
  it('parses Session-Expires with and without refresher', () => {
    expect(parseSessionExpires('1800;refresher=uac')).toEqual({ deltaSec: 1800, refresher: 'uac' });
    expect(parseSessionExpires(' 90 ')).toEqual({ deltaSec: 90, refresher: null });
    expect(parseSessionExpires('soon')).toBeNull();
  });

  it('negotiates as UAS: 422 below Min-SE, the UAC refreshes when it supports timer, else the ACD', () => {
    const o = { minSec: 90, maxSec: 1800 };
    expect(negotiateAsUas(invite([]), o)).toEqual({ kind: 'none' });
    expect(negotiateAsUas(invite([['Session-Expires', '30']]), o)).toEqual({ kind: 'too-small', minSe: 90 });
    expect(negotiateAsUas(invite([['Session-Expires', '600'], ['Supported', 'timer, 100rel']]), o)).toEqual({
      kind: 'granted',
      intervalSec: 600,
      refresher: 'uac',
      headers: [['Session-Expires', '600;refresher=uac'], ['Require', 'timer']],
    });
    expect(negotiateAsUas(invite([['Session-Expires', '7200;refresher=uas'], ['Supported', 'timer']]), o)).toMatchObject({ intervalSec: 1800, refresher: 'uas' });
    expect(negotiateAsUas(invite([['Session-Expires', '600']]), o)).toMatchObject({ refresher: 'uas', headers: [['Session-Expires', '600;refresher=uas']] });
    expect(negotiateAsUas(invite([['Session-Expires', '1000'], ['Min-SE', '1500']]), o)).toMatchObject({ intervalSec: 1500 });
  });

  it('tells a refresh (only the o= version changed) from a media change', () => {
    expect(sameSession(SDP, SDP.replace('o=- 7 1', 'o=- 7 2'))).toBe(true);
    expect(sameSession(SDP, SDP.replace(/\r\n/g, '\n'))).toBe(true);
    expect(sameSession(SDP, SDP.replace('sendrecv', 'sendonly'))).toBe(false);
    expect(sameSession(null, SDP)).toBe(false);
  });

  it('fires the refresh at half the interval when local, the expiry at interval − min(32, interval/3) when remote', () => {
    vi.useFakeTimers();
    try {
      const due = vi.fn();
      const expired = vi.fn();
      const local = new SessionTimer(90, true, due, expired);
      vi.advanceTimersByTime(44_999);
      expect(due).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(due).toHaveBeenCalledTimes(1);
      const remote = new SessionTimer(1800, false, due, expired);
      vi.advanceTimersByTime(1000_000);
      remote.refreshed();
      vi.advanceTimersByTime(1767_999);
      expect(expired).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(expired).toHaveBeenCalledTimes(1);
      local.stop();
      remote.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
