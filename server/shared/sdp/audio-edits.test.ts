import { describe, expect, it } from 'vitest';
import { candidateAddresses, keepOnly8kAudio, setDefaultCandidate, withoutCandidateGenerations } from './audio-edits';

// An offer as Chromium 156 on this machine makes it (audio, BUNDLE, rtcp-mux, DTLS-SRTP, complete host candidates).
const CHROMIUM_OFFER = `
v=0
o=- 4667698274701296194 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0
a=extmap-allow-mixed
a=msid-semantic: WMS 4eee46da-786b-42e2-9a5a-230f20aae3b5
m=audio 39661 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
c=IN IP4 192.0.2.2
a=rtcp:9 IN IP4 0.0.0.0
a=candidate:2223902805 1 udp 2122194687 192.0.2.2 39661 typ host generation 0 network-id 1
a=candidate:1340658101 1 udp 2122265343 fd00::2 50332 typ host generation 0 network-id 2
a=candidate:2049230017 1 tcp 1518214911 192.0.2.2 9 typ host tcptype active generation 0 network-id 1
a=candidate:2973893921 1 tcp 1518285567 fd00::2 9 typ host tcptype active generation 0 network-id 2
a=ice-ufrag:s8L2
a=ice-pwd:Ma9dSLH2qJxXPEwSgE7WNwAC
a=ice-options:trickle
a=fingerprint:sha-256 7B:35:F2:46:9A:0C:67:FD:AC:DB:45:E9:C8:FC:74:FD:43:BA:F0:91:3C:BF:F4:31:23:4D:4A:45:87:48:49:AC
a=setup:actpass
a=mid:0
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=sendrecv
a=msid:4eee46da-786b-42e2-9a5a-230f20aae3b5 dd6f42f0-8bb8-485b-8969-d4fa5faea99e
a=rtcp-mux
a=rtcp-rsize
a=rtcp-xr:rcvr-rtt=all
a=rtpmap:111 opus/48000/2
a=rtcp-fb:111 transport-cc
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:63 red/48000/2
a=fmtp:63 111/111
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:13 CN/8000
a=rtpmap:110 telephone-event/48000
a=rtpmap:126 telephone-event/8000
a=ssrc:628730285 cname:Yjdx0NjqZ0GCjHA4
a=ssrc:628730285 msid:4eee46da-786b-42e2-9a5a-230f20aae3b5 dd6f42f0-8bb8-485b-8969-d4fa5faea99e

`.trim();

describe('SDP audio edits', () => {
  it('keeps only 8 kHz payload types in the audio m-line and their attributes', () => {
    const out = keepOnly8kAudio(CHROMIUM_OFFER);
    expect(out).toMatch(/^m=audio 39661 UDP\/TLS\/RTP\/SAVPF 9 0 8 13 126\r$/m);
    expect(out).not.toMatch(/opus|red\/48000|telephone-event\/48000|a=fmtp:111|a=rtcp-fb:111|a=fmtp:63/);
    expect(out).toMatch(/a=rtpmap:126 telephone-event\/8000/);
    expect(out).toMatch(/a=candidate:2223902805 1 udp 2122194687 192\.0\.2\.2 39661 typ host/);
    expect(out.endsWith('\r\n')).toBe(true);
  });

  it('finds UDP host candidates and sets the default address from a non-loopback one', () => {
    expect(candidateAddresses(CHROMIUM_OFFER)).toEqual([
      ['192.0.2.2', 39661],
      ['fd00::2', 50332],
    ]);
    const ours = 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\n' +
      'a=candidate:a 1 udp 2116026367 127.0.0.1 40000 typ host\r\na=candidate:b 1 udp 2116026367 192.0.2.2 40001 typ host\r\n';
    const fixed = setDefaultCandidate(ours);
    expect(fixed).toMatch(/^m=audio 40001 /m);
    expect(fixed).toMatch(/^c=IN IP4 192\.0\.2\.2\r$/m);
  });

  it('drops candidates\' generation (and network-id, network-cost) and keeps the rest of each line', () => {
    const out = withoutCandidateGenerations(CHROMIUM_OFFER);
    expect(out).not.toMatch(/generation|network-id|NaN/);
    expect(out).toMatch(/^a=candidate:2223902805 1 udp 2122194687 192\.0\.2\.2 39661 typ host\r$/m);
    expect(out).toMatch(/^a=candidate:2049230017 1 tcp 1518214911 192\.0\.2\.2 9 typ host tcptype active\r$/m);
    expect(candidateAddresses(out)).toEqual(candidateAddresses(CHROMIUM_OFFER));
    // nothing to drop: the text comes back as it was
    const plain = 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=candidate:a 1 udp 2116026367 127.0.0.1 40000 typ host\r\n';
    expect(withoutCandidateGenerations(plain)).toBe(plain);
  });
});
