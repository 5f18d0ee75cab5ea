import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/sipp/sipp-runner';
import { H } from '../../shared/sip-control';
import { requireTool } from '../../test-support/system-tools';
import { startBaresipPhone, type BaresipPhone } from '../test-support/baresip-phone';
import { CallKit, DOMAIN, sleep } from '../test-support/call-kit';
import { goertzel, heardPcm, TONE } from '../test-support/tones';

/**
 * A real softphone as the supervisor's SIP phone: baresip registers over UDP with device
 * credentials, auto-answers the ACD's dial with X-PB-Join (listen), plays its own tone and
 * records what it decodes. The caller and operator are plain RTP peers with their own tones.
 */
requireTool('baresip');

let kit: CallKit;
let dir: string;
let bare: BaresipPhone | null = null;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pb-bare-mix-'));
  kit = await CallKit.start({ rtp: [47900, 47999], ice: [48000, 48099] });
});
afterEach(async () => {
  await bare?.stop();
  bare = null;
  await kit.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('baresip as a supervisor’s SIP phone', () => {
  it('listens (hears caller and operator, the caller never hears it), then barges (the caller hears it)', { timeout: 45_000 }, async () => {
    const { caller, operator } = await kit.bridgedCall();
    const dev = kit.deviceCredentials();
    bare = await startBaresipPhone({
      dir,
      sipPort: await freePort(),
      rtpPorts: '48100-48199',
      account: `<sip:${dev.user}@${DOMAIN}>;auth_user=${dev.user};auth_pass=${dev.password};outbound="sip:127.0.0.1:${kit.acd.ports.UDP!};transport=udp";regint=600;answermode=auto;audio_codecs=PCMU,PCMA`,
      toneHz: TONE.third,
      readyWhen: /200 OK/,
    });
    const sup = await kit.answered(await kit.dialUri(`sip:${dev.user}@${DOMAIN}`, [[H.join, operator.leg], [H.mode, 'listen']]));
    expect(kit.leg(sup.leg)).toMatchObject({ state: 'mixed', mix: { mode: 'listen' } });
    await sleep(600);
    const from = caller.rtp.received.length;
    await sleep(1500);
    const listening = heardPcm(caller.rtp.received, from);
    expect(goertzel(listening, TONE.operator)).toBeGreaterThan(500);
    expect(goertzel(listening, TONE.third)).toBeLessThan(60);

    expect((await kit.op(sup.control, { op: 'mode', mode: 'talk' })).status).toBe(200);
    await sleep(300);
    const bargeFrom = caller.rtp.received.length;
    await sleep(1000);
    expect(goertzel(heardPcm(caller.rtp.received, bargeFrom), TONE.third)).toBeGreaterThan(500);

    // baresip decoded both parties throughout
    const heard = bare.decodedPcm();
    expect(heard, bare.output()).not.toBeNull();
    expect(goertzel(heard!, TONE.caller)).toBeGreaterThan(300);
    expect(goertzel(heard!, TONE.operator)).toBeGreaterThan(300);
    // and never itself, not even while it talks
    expect(goertzel(heard!, TONE.third)).toBeLessThan(60);
  });
});
