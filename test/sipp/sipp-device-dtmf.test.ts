import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Acd } from '../../server/acd/acd';
import { RtpEndpoint } from '../../server/acd/media/rtp-endpoint';
import { UdpRtpPeer } from '../../server/acd/media/test-udp-peer';
import { WeriftMediaEngine } from '../../server/acd/media/werift-media-engine';
import type { SipRequest } from '../../server/acd/sip/message';
import { SipWsClient } from '../../server/acd/test-support/sip-ws-client';
import { bankCredentials, issueDeviceCredentials } from '../../server/shared/credentials';
import { H } from '../../server/shared/sip-control';
import { freePort, killSipps, runSipp } from './sipp-runner';
import { requireTool } from '../../server/test-support/system-tools';
import { dialForLeg, placeCall, takeRouteOffer } from '../../server/test-support/sip-peers';

/**
 * Real SIPp as an operator's SIP phone registered over UDP: the bank dials it, the ACD offers
 * it plain RTP, SIPp answers (PCMA + telephone-event, device-uas-dtmf.xml) and sends DTMF 1 and
 * # with `play_pcap_audio` of its own RFC 4733 samples. The digits must reach the bank once
 * each, as dtmf-relay INFO on the device leg's control dialog; the ACD's endpoint latched
 * onto SIPp's media port. Signalling is the ACD's own UDP SIP.
 */
const SIPP = requireTool('sipp');
const SECRET = 'sipp-dtmf-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const NUMBER = '+15550100';
const log = pino({ level: process.env.ACD_TEST_LOG ?? 'silent' });

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  killSipps();
  for (const c of closers.splice(0).reverse()) await c();
});

describe('SIPp phone sending play_pcap_audio DTMF through the ACD', () => {
  it('relays the digits SIPp sends from dtmf_2833_1.pcap and dtmf_2833_pound.pcap to the bank', { timeout: 25_000 }, async () => {
    const engine = new WeriftMediaEngine(log, { rtpPortRange: [43600, 43699] });
    const acd = new Acd({
      config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 10, transports: { udpPort: 0 } },
      dialPlan: { lookup: (n) => (n === NUMBER ? { holdAudio: 'default' } : null) },
      media: engine,
      logger: log,
    });
    await acd.start();
    closers.push(() => engine.close());
    closers.push(() => acd.stop());

    const bank = await SipWsClient.connect(`ws://127.0.0.1:${acd.port}`, 'bank');
    closers.push(() => bank.close());
    const creds = bankCredentials(SECRET, 1);
    expect((await bank.register('route', DOMAIN, creds.user, creds.password)).status).toBe(200);

    // SIPp registers as the device over UDP, then answers on the same port
    const dev = issueDeviceCredentials(SECRET, 3600);
    const sipPort = await freePort();
    const mediaPort = 44700 + 2 * Math.floor(Math.random() * 40);
    const phone = ['-t', 'u1', '-i', '127.0.0.1', '-p', String(sipPort), '-mi', '127.0.0.1', '-mp', String(mediaPort), '-s', dev.user, '-au', dev.user, '-ap', dev.password];
    const reg = await runSipp('device-register.xml', [...phone, `127.0.0.1:${acd.ports.UDP!}`], 6).done;
    expect(reg.errors).toBe('');
    expect(reg.code).toBe(0);
    const sipp = runSipp('device-uas-dtmf.xml', phone, 15);

    // a plain RTP caller parked on the number and offered to the bank
    const callerRtp = await UdpRtpPeer.open();
    closers.push(() => callerRtp.close());
    const caller = await SipWsClient.connect(`ws://127.0.0.1:${acd.port}`, 'caller');
    closers.push(() => caller.close());
    const { ok } = await placeCall(caller, `sip:${NUMBER}@${DOMAIN}`, callerRtp.sdp({ pts: '0 8 101' }));
    callerRtp.aimAt(ok.body);
    const { callerLeg } = await takeRouteOffer(bank);

    const dial = await dialForLeg(bank, `sip:${dev.user}@${DOMAIN}`, callerLeg, creds);
    const answered = await bank.response(dial.headers.get('Call-ID')!, 'INVITE', true, 5000);
    expect(answered.status).toBe(200);
    const control = bank.dialogFrom(dial, answered);
    bank.send(bank.inDialog('ACK', control));
    const deviceLeg = answered.headers.get(H.leg)!;
    const ep = engine.endpointOf(deviceLeg);
    expect(ep).toBeInstanceOf(RtpEndpoint);
    expect(ep!.codec).toBe('PCMA');

    const onControl = (r: SipRequest) => r.headers.get('Call-ID') === control.callId;
    const digits: Array<[string, number]> = [];
    for (let i = 0; i < 2; i++) {
      const info = await bank.request('INFO', onControl, 5000);
      expect(info.headers.get('Content-Type')).toBe('application/dtmf-relay');
      const m = /^Signal=(.)\r\nDuration=(\d+)\r\n$/.exec(info.body);
      digits.push([m?.[1] ?? '?', Number(m?.[2])]);
      bank.respond(info, 200);
    }
    expect(digits).toEqual([
      ['1', 280],
      ['#', 280],
    ]);
    // latched onto SIPp's media port
    expect((ep as RtpEndpoint).remoteAddress).toEqual({ address: '127.0.0.1', port: mediaPort });

    // the bank releases the phone: the ACD's BYE ends SIPp's scenario, SIPp exits 0
    await new Promise((r) => setTimeout(r, 500)); // SIPp's scenario pauses after the last digit before it expects BYE
    bank.send(bank.inDialog('BYE', control));
    expect((await bank.response(control.callId, 'BYE')).status).toBe(200);
    const { code, errors } = await sipp.done;
    expect(errors).toBe('');
    expect(code).toBe(0); // SIPp: 1 call, successful
    expect(bank.received.filter((m) => m.kind === 'request' && m.method === 'INFO')).toHaveLength(2);
  });
});
