import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { H } from '../../shared/sip-control';
import { placeCall, takeRouteOffer } from '../../test-support/sip-peers';
import { decode, encode } from '../media/g711';
import { TestBrowserClient } from '../media/test-browser-client';
import { CallKit, DOMAIN, NUMBER, sleep } from '../test-support/call-kit';
import { goertzel, rms, tone, TONE } from '../test-support/tones';

/**
 * The in-call requests with a WebRTC caller (werift standing in for a browser: ICE,
 * DTLS-SRTP) and plain RTP phones: hold gives the browser music and nothing of the operator,
 * a conference gives it both phones, mute gives it silence.
 */
let kit: CallKit;
let browser: TestBrowserClient;
let talking: NodeJS.Timeout | null = null;
beforeEach(async () => {
  kit = await CallKit.start({ rtp: [47600, 47699], ice: [47700, 47799] });
  browser = new TestBrowserClient(['PCMU']);
});
afterEach(async () => {
  if (talking) clearInterval(talking);
  await browser.close();
  await kit.stop();
});

/** What the browser heard (PCMU) during the next `ms`. */
async function browserHears(ms: number): Promise<Int16Array> {
  await sleep(150);
  const from = browser.received.length;
  await sleep(ms);
  const frames = browser.received.slice(from).filter((p) => p.header.payloadType === 0).map((p) => decode(p.payload, 'PCMU'));
  return Int16Array.from(frames.flatMap((f) => [...f]));
}

describe('in-call requests with a WebRTC caller', () => {
  it('hold → music only; conference → both phones; mute → silence', { timeout: 40_000 }, async () => {
    const sip = await kit.client('browser');
    const { ok } = await placeCall(sip, `sip:${NUMBER}@${DOMAIN}`, await browser.makeOffer(), { timeoutMs: 10_000 });
    expect(ok.status).toBe(200);
    await browser.acceptAnswer(ok.body);
    await browser.connected();
    const { callerLeg, route } = await takeRouteOffer(kit.bank, 5000);
    await kit.bank.request('ACK', (r) => r.headers.get('Call-ID') === route.callId);
    let n = 0;
    talking = setInterval(() => void browser.sendFrame(encode(tone(TONE.caller, 6000, 160, 160 * n++), 'PCMU')).catch(() => undefined), 20);
    const operator = await kit.dial(await kit.phone('operator'), [[H.bridge, callerLeg]]);
    operator.speak(TONE.operator);
    expect(goertzel(await browserHears(800), TONE.operator)).toBeGreaterThan(500);

    expect((await kit.op(route, { op: 'hold' })).status).toBe(200);
    const held = await browserHears(1200);
    expect(rms(held)).toBeGreaterThan(500);
    expect(goertzel(held, TONE.operator)).toBeLessThan(60);
    expect((await kit.op(route, { op: 'resume' })).status).toBe(200);

    const third = await kit.dial(await kit.phone('third'), [[H.join, callerLeg]]);
    third.speak(TONE.third);
    const conf = await browserHears(900);
    expect(goertzel(conf, TONE.operator)).toBeGreaterThan(500);
    expect(goertzel(conf, TONE.third)).toBeGreaterThan(500);
    expect(goertzel(conf, TONE.caller)).toBeLessThan(60);
    // the phones hear the browser through the mix
    const from = third.rtp.received.length;
    await sleep(800);
    const thirdHeard = Int16Array.from(third.rtp.received.slice(from).filter((p) => p.pt === 0).flatMap((p) => [...decode(p.payload, 'PCMU')]));
    expect(goertzel(thirdHeard, TONE.caller)).toBeGreaterThan(500);

    expect((await kit.op(operator.control, { op: 'mute' })).status).toBe(200);
    expect((await kit.op(third.control, { op: 'mute' })).status).toBe(200);
    expect(rms(await browserHears(800))).toBeLessThan(20);
  });
});
