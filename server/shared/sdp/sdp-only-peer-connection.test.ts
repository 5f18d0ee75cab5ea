import { describe, expect, it } from 'vitest';
import { controlSdp } from './control-sdp';
import { SdpOnlyPeerConnection, SdpOnlySessionDescription, installSdpOnlyWebRtc } from './sdp-only-peer-connection';

describe('SdpOnlyPeerConnection', () => {
  it('offers inactive control SDP and completes ICE gathering at once', async () => {
    const pc = new SdpOnlyPeerConnection({ iceServers: [] });
    expect(pc.iceGatheringState).toBe('complete');
    const offer = await pc.createOffer();
    expect(offer.type).toBe('offer');
    expect(offer.sdp).toMatch(/^v=0\r\n/);
    expect(offer.sdp).toContain('a=inactive');
    expect(offer.sdp).not.toMatch(/a=(sendrecv|sendonly|recvonly)/);
    await pc.setLocalDescription(offer);
    expect(pc.signalingState).toBe('have-local-offer');
    expect(pc.localDescription?.sdp).toBe(offer.sdp);
    await pc.setRemoteDescription(new SdpOnlySessionDescription({ type: 'answer', sdp: controlSdp(7) }));
    expect(pc.signalingState).toBe('stable');
  });

  it('answers a remote offer with inactive SDP, bumping the origin version', async () => {
    const pc = new SdpOnlyPeerConnection();
    await expect(pc.createAnswer()).rejects.toThrow(/no remote offer/);
    await pc.setRemoteDescription({ type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n' });
    const a1 = await pc.createAnswer();
    const a2 = await pc.createAnswer();
    expect(a1.sdp).toContain('a=inactive');
    expect(/^o=- \d+ (\d+) /m.exec(a1.sdp)?.[1]).toBe('1');
    expect(/^o=- \d+ (\d+) /m.exec(a2.sdp)?.[1]).toBe('2');
  });

  it('refuses what is not SDP, media tracks, and use after close', async () => {
    const pc = new SdpOnlyPeerConnection();
    await expect(pc.setRemoteDescription({ type: 'offer', sdp: 'hello' })).rejects.toThrow(/not SDP/);
    expect(() => pc.addTrack()).toThrow(/no media/);
    expect(pc.getSenders()).toEqual([]);
    pc.close();
    expect(pc.signalingState).toBe('closed');
    await expect(pc.createOffer()).rejects.toThrow(/closed/);
  });

  it('installs the globals JsSIP checks, idempotently', () => {
    installSdpOnlyWebRtc();
    installSdpOnlyWebRtc();
    const g = globalThis as Record<string, unknown>;
    expect(g.RTCPeerConnection).toBeDefined();
    expect(g.RTCSessionDescription).toBeDefined();
    expect((g.window as Record<string, unknown>).RTCPeerConnection).toBe(g.RTCPeerConnection);
    expect(g.window).not.toBe(globalThis);
  });
});
