import { describe, expect, it } from 'vitest';
import { controlSdp } from './control-sdp';
import { audioProtocolOf, firstAudio, isPlainRtpProtocol, isSdpBody, looksLikeSdp, parseSdp, payloadTypes, sameSession, writeSdp } from './sdp-document';

const SDP = 'v=0\r\no=- 7 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=video 5000 RTP/AVP 96\r\nm=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n';

describe('SDP document', () => {
  it('writes the control SDP byte for byte as the dialect fixes it', () => {
    expect(controlSdp(42, '192.0.2.1')).toBe('v=0\r\no=- 42 1 IN IP4 192.0.2.1\r\ns=patchbay-control\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=inactive\r\n');
    expect(controlSdp(42, '192.0.2.1', 3)).toMatch(/^o=- 42 3 IN IP4 192\.0\.2\.1\r$/m);
  });

  it('reads the first audio m-section, its payload types and protocol', () => {
    const audio = firstAudio(parseSdp(SDP));
    expect(audio?.port).toBe(4000);
    expect(payloadTypes(audio!)).toEqual([0, 101]);
    expect(payloadTypes(firstAudio(parseSdp(controlSdp(1)))!)).toEqual([0]); // a lone payload type
    expect(audioProtocolOf(SDP)).toBe('RTP/AVP');
    expect(audioProtocolOf('hello')).toBe('');
    expect(isPlainRtpProtocol('rtp/avpf')).toBe(true);
    expect(isPlainRtpProtocol('UDP/TLS/RTP/SAVPF')).toBe(false);
  });

  it('round-trips what it parses', () => {
    expect(writeSdp(parseSdp(SDP))).toBe(SDP);
  });

  it('tells a refresh (same session, new o= version) from a change', () => {
    expect(sameSession(SDP, SDP.replace('o=- 7 1', 'o=- 7 2'))).toBe(true);
    expect(sameSession(SDP, SDP.replace(/\r\n/g, '\n'))).toBe(true);
    expect(sameSession(SDP, SDP.replace('sendrecv', 'sendonly'))).toBe(false);
    expect(sameSession(SDP, SDP.replace('o=- 7 1', 'o=- 8 1'))).toBe(false);
    expect(sameSession(null, SDP)).toBe(false);
  });

  it('recognises SDP bodies', () => {
    expect(isSdpBody('application/sdp', SDP)).toBe(true);
    expect(isSdpBody('Application/SDP; charset=utf-8', SDP)).toBe(true);
    expect(isSdpBody('application/sdp', '')).toBe(false);
    expect(isSdpBody(undefined, SDP)).toBe(false);
    expect(looksLikeSdp(SDP)).toBe(true);
    expect(looksLikeSdp(42)).toBe(false);
  });
});
