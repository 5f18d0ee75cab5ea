import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { freeUdpPort, MiniUac, sipRequest } from './test-mini-uac';
import { WeriftMediaEngine } from './werift-media-engine';

/**
 * Real SIPp as a phone: it answers our plain endpoint's offer and sends DTMF 1 and # with
 * `play_pcap_audio` of its own RFC 4733 samples (sipp/uas-dtmf.xml). The digits must reach
 * `onDtmf` once each. The ACD speaks SIP over WebSocket only on this branch, so the test's
 * MiniUac sends INVITE/ACK/BYE over UDP; the media path is the engine's.
 */
const SIPP = '/usr/bin/sipp';
const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe.skipIf(!existsSync(SIPP))('SIPp play_pcap_audio DTMF into a plain RTP endpoint', () => {
  it('detects the digits SIPp sends from dtmf_2833_1.pcap and dtmf_2833_pound.pcap', { timeout: 20_000 }, async () => {
    const sipPort = await freeUdpPort();
    const mediaPort = 44700 + 2 * Math.floor(Math.random() * 40);
    const sipp = spawn(
      'timeout',
      ['15', SIPP, '-sf', path.join(import.meta.dirname, 'sipp', 'uas-dtmf.xml'), '-i', '127.0.0.1', '-p', String(sipPort), '-mi', '127.0.0.1', '-mp', String(mediaPort), '-m', '1', '-nostdin'],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/tmp' },
    );
    let out = '';
    sipp.stdout.on('data', (d: Buffer) => (out += d.toString()));
    sipp.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => sipp.once('exit', (code) => r(code)));
    cleanup.push(async () => {
      if (sipp.exitCode === null) sipp.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
    });
    await sleep(300); // SIPp binds its port

    const engine = new WeriftMediaEngine(log, { rtpPortRange: [43600, 43699] });
    cleanup.push(() => engine.close());
    const ep = await engine.createEndpoint({ legId: 'leg-sipp', kind: 'rtp' });
    const digits: Array<[string, number]> = [];
    ep.onDtmf((d, ms) => digits.push([d, ms]));

    const uac = await MiniUac.open();
    cleanup.push(() => uac.close());
    const target = `sip:sipp@127.0.0.1:${sipPort}`;
    uac.send(sipRequest('INVITE', target, { port: uac.port, seq: 1, body: await ep.offer(), callId: 'sipp-dtmf' }), sipPort);
    const ok = await uac.final('INVITE');
    expect(ok.status).toBe(200);
    const toTag = /;tag=([^;\s]+)/.exec(ok.headers.get('To') ?? '')?.[1];
    uac.send(sipRequest('ACK', target, { port: uac.port, seq: 1, to: target, toTag, callId: 'sipp-dtmf' }), sipPort);
    await ep.acceptAnswer(ok.body);
    expect(ep.codec).toBe('PCMA');

    const end = Date.now() + 5000;
    while (digits.length < 2 && Date.now() < end) await sleep(20);
    await sleep(500); // SIPp's scenario pauses after the last digit before it expects BYE
    uac.send(sipRequest('BYE', target, { port: uac.port, seq: 2, to: target, toTag, callId: 'sipp-dtmf' }), sipPort);
    expect((await uac.final('BYE')).status).toBe(200);
    expect(await exited, out).toBe(0); // SIPp: 1 call, successful
    expect(digits).toEqual([
      ['1', 280],
      ['#', 280],
    ]);
    expect(ep.remoteAddress).toEqual({ address: '127.0.0.1', port: mediaPort }); // latched onto SIPp's media port
  });
});
