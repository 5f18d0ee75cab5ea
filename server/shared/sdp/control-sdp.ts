import { writeSdp } from './sdp-document';

/**
 * SDP of a control dialog (the bank ↔ ACD dialect): one audio stream that never carries
 * media (`c=IN IP4 0.0.0.0`, `a=inactive`). `version` is the o= version, bumped by a party
 * that offers again.
 */
export function controlSdp(sessionId: number, origin = '127.0.0.1', version = 1): string {
  return writeSdp({
    version: 0,
    origin: { username: '-', sessionId, sessionVersion: version, netType: 'IN', ipVer: 4, address: origin },
    name: 'patchbay-control',
    connection: { version: 4, ip: '0.0.0.0' },
    timing: { start: 0, stop: 0 },
    media: [{ type: 'audio', port: 9, protocol: 'RTP/AVP', payloads: '0', rtp: [], fmtp: [], direction: 'inactive' }],
  });
}
