/**
 * Run by werift-media-engine.test.ts in a child process: one WebRTC endpoint with a werift
 * client and music, one plain RTP endpoint bridged to it with a recording, then close
 * everything. It never calls process.exit, so it only terminates if the
 * engine left no socket, timer or listener behind.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stdout } from 'node:process';
import pino from 'pino';
import { TestBrowserClient } from './test-browser-client';
import { UdpRtpPeer } from './test-udp-peer';
import { WeriftMediaEngine } from './werift-media-engine';

const engine = new WeriftMediaEngine(pino({ level: 'silent' }));
const client = new TestBrowserClient();
const ep = await engine.createEndpoint({ legId: 'fixture' });
await client.acceptAnswer(await ep.answer(await client.makeOffer()));
await client.connected();
ep.play('default');
await new Promise((r) => setTimeout(r, 600));
stdout.write(`music packets: ${client.received.length}\n`);
// a plain RTP leg too: its UDP socket must not keep the process alive either
const phone = await UdpRtpPeer.open();
const plain = await engine.createEndpoint({ legId: 'fixture-plain', kind: 'rtp' });
phone.aimAt(await plain.answer(phone.sdp()));
const recording = path.join(tmpdir(), `pb-fixture-${process.pid}.wav`);
engine.record(plain, recording);
engine.bridge(ep, plain);
phone.send(0, Buffer.alloc(160, 0xff));
await new Promise((r) => setTimeout(r, 200));
stdout.write(`plain packets: ${plain.rtpReceived}\n`);
await phone.close();
await engine.close(); // also waits for the recording to be finalised
rmSync(recording);
await client.close();
stdout.write('closed\n');
