import { describe, expect, it } from 'vitest';
import { MediaNegotiationError } from './media-errors';
import { mediaKindOfSdp } from './media-engine';
import { answerDirection } from '../../shared/sdp/audio-edits';
import { parseRemoteMedia, writeLocalSdp } from './plain-sdp';

const sipp = [
  'v=0',
  'o=user1 53655765 2353687637 IN IP4 10.0.0.5',
  's=-',
  'c=IN IP4 10.0.0.5',
  't=0 0',
  'm=audio 6000 RTP/AVP 8 0 18 101',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:18 G729/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  '',
].join('\r\n');

describe('plain RTP SDP', () => {
  it('reads address, port, G.711 + telephone-event in the party order, static PTs without rtpmap', () => {
    const r = parseRemoteMedia(sipp);
    expect(r).toEqual({
      address: '10.0.0.5',
      port: 6000,
      codecs: [
        { pt: 8, codec: 'PCMA' },
        { pt: 0, codec: 'PCMU' },
        { pt: 101, codec: 'telephone-event' },
      ],
      direction: 'sendrecv',
    });
  });

  it('prefers the media-level address and reads hold directions (including c=0.0.0.0)', () => {
    const held = sipp.replace('m=audio 6000 RTP/AVP 8 0 18 101', 'm=audio 6000 RTP/AVP 0\r\nc=IN IP4 10.0.0.9\r\na=sendonly');
    expect(parseRemoteMedia(held)).toMatchObject({ address: '10.0.0.9', direction: 'sendonly' });
    expect(parseRemoteMedia(sipp.replace('c=IN IP4 10.0.0.5', 'c=IN IP4 0.0.0.0')).direction).toBe('inactive');
    expect(answerDirection('sendonly')).toBe('recvonly');
    expect(answerDirection('inactive')).toBe('inactive');
  });

  it('refuses WebRTC and garbage, and tells the kinds apart', () => {
    const webrtc = sipp.replace('RTP/AVP', 'UDP/TLS/RTP/SAVPF');
    expect(() => parseRemoteMedia(webrtc)).toThrow(MediaNegotiationError);
    expect(() => parseRemoteMedia('hello')).toThrow(MediaNegotiationError);
    expect(mediaKindOfSdp(sipp)).toBe('rtp');
    expect(mediaKindOfSdp(webrtc)).toBe('webrtc');
  });

  it('writes an SDP the parser reads back', () => {
    const sdp = writeLocalSdp({ address: '127.0.0.1', port: 40000, sessionId: 5, version: 2, codecs: [{ pt: 0, codec: 'PCMU' }, { pt: 101, codec: 'telephone-event' }], direction: 'recvonly' });
    expect(sdp).toContain('a=fmtp:101 0-16');
    expect(parseRemoteMedia(sdp)).toMatchObject({ address: '127.0.0.1', port: 40000, direction: 'recvonly' });
  });
});
