import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { rms, startBaresipPhone, tone } from '../../server/acd/test-support/baresip-phone';
import { Acd } from '../../server/acd/acd';
import { decode, encode } from '../../server/acd/media/g711';
import { TestBrowserClient } from '../../server/acd/media/test-browser-client';
import { freePort as freeUdpPort } from '../sipp/sipp-runner';
import { WeriftMediaEngine } from '../../server/acd/media/werift-media-engine';
import { SipWsClient } from '../../server/acd/test-support/sip-ws-client';
import { StaticTrunkDirectory } from '../../server/acd/trunks/trunk-directory';
import { bankCredentials } from '../../server/shared/credentials';
import { controlSdp, H } from '../../server/shared/sip-control';
import { requireTool } from '../../server/test-support/system-tools';
import { placeCall, takeRouteOffer } from '../../server/test-support/sip-peers';

/**
 * RTP both ways through a trunk bridge: a WebRTC caller (werift, like a browser) parked on the
 * DID; the bank dials tel:+… and the ACD sends it out through a UDP trunk to baresip (Debian
 * baresip-core) acting as the operator's mobile behind the carrier: it auto-answers, plays a
 * 600 Hz tone (aufile) and records what it hears (sndfile). The caller speaks 1 kHz.
 */
const SECRET = 'baresip-trunk-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const DID = '+15550100';
const MOBILE = '+447700900123';
const log = pino({ level: process.env.ACD_TEST_LOG ?? 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

requireTool('baresip');

describe('baresip as the mobile behind a UDP trunk', () => {
  it('the bank dials tel:+…, baresip answers through the trunk, and tones flow both ways through the bridge', { timeout: 40_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pb-trunk-baresip-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const sipPort = await freeUdpPort();
    const bare = await startBaresipPhone({
      dir,
      sipPort,
      rtpPorts: '45700-45799',
      account: `<sip:${MOBILE}@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMU,PCMA`,
      toneHz: 600,
      readyWhen: /baresip is ready/,
    });
    cleanup.push(() => bare.stop());

    const media = new WeriftMediaEngine(log, { rtpPortRange: [45400, 45499], portRange: [45500, 45599] });
    cleanup.push(() => media.close());
    const acd = new Acd({
      config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, transports: { udpPort: 0 } },
      dialPlan: { lookup: (n) => (n === DID ? { holdAudio: 'default' } : null) },
      media,
      logger: log,
      trunks: new StaticTrunkDirectory([
        {
          id: 't1', name: 'loopback', host: '127.0.0.1', port: sipPort, transport: 'udp', username: 'pb-acct', password: 'carrier-password-1', realm: null,
          register: false, registerExpirySec: 600, inboundSources: [], inboundDigest: false, outbound: true,
          callerIdMode: 'fixed', callerIdE164: '+15550199', assertIdentity: true, privacy: false, enabled: true, dids: [],
        },
      ]),
    });
    await acd.start();
    cleanup.push(() => acd.stop());
    const url = `ws://127.0.0.1:${acd.port}`;

    const bank = await SipWsClient.connect(url, 'bank');
    cleanup.push(() => bank.close());
    const creds = bankCredentials(SECRET, 1);
    expect((await bank.register('route', DOMAIN, creds.user, creds.password)).status).toBe(200);

    // the WebRTC caller, parked on the DID
    const browser = new TestBrowserClient();
    cleanup.push(() => browser.close());
    const caller = await SipWsClient.connect(url, 'caller');
    cleanup.push(() => caller.close());
    const { ok } = await placeCall(caller, `sip:${DID}@${DOMAIN}`, await browser.makeOffer(), { from: '"Carla" <sip:carla@test.invalid>', timeoutMs: 10_000 });
    expect(ok.status).toBe(200);
    await browser.acceptAnswer(ok.body);
    await browser.connected();
    const { callerLeg } = await takeRouteOffer(bank, 5000);

    // the bank dials the mobile: out through the UDP trunk to baresip, which auto-answers
    const first = bank.makeRequest('INVITE', `tel:${MOBILE}`, { from: `<sip:${creds.user}@${DOMAIN}>`, headers: [[H.bridge, callerLeg]], body: controlSdp(2) });
    bank.send(first);
    const ch = await bank.response(first.headers.get('Call-ID')!, 'INVITE');
    bank.ackFailure(first, ch);
    const dial = bank.withAuth(first, ch, creds.user, creds.password);
    bank.send(dial);
    const answered = await bank.response(first.headers.get('Call-ID')!, 'INVITE', true, 15_000);
    expect(answered.status, bare.output()).toBe(200);
    const control = bank.dialogFrom(dial, answered);
    bank.send(bank.inDialog('ACK', control));
    expect(acd.legs().find((l) => l.legId === callerLeg)?.state).toBe('bridged');

    // the caller speaks 1 kHz for 2 s while baresip plays 600 Hz
    const before = browser.received.length;
    const spoken = encode(tone(1000, 10000, 2 * 8000), 'PCMU');
    for (let n = 0; n < 100; n++) {
      await browser.sendFrame(spoken.subarray(n * 160, (n + 1) * 160));
      await sleep(20);
    }
    // the CTI's order: release the mobile (BYE to baresip through the trunk)
    bank.send(bank.inDialog('BYE', control));
    expect((await bank.response(control.callId, 'BYE', true, 5000)).status).toBe(200);
    await sleep(500);

    // baresip → trunk → ACD → caller: its tone reached the WebRTC caller
    const heard = browser.received.slice(before).filter((p) => p.header.payloadType === 0).map((p) => decode(p.payload, 'PCMU'));
    expect(heard.length).toBeGreaterThan(60);
    expect(rms(Int16Array.from(heard.flatMap((f) => [...f])))).toBeGreaterThan(3000);
    // caller → ACD → trunk → baresip: sndfile wrote what baresip decoded
    const dec = bare.decodedPcm();
    expect(dec, bare.output()).not.toBeNull();
    expect(rms(dec ?? [])).toBeGreaterThan(3000);
  });
});
