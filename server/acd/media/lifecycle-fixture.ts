/**
 * Run by werift-media-engine.test.ts in a child process: one endpoint, one werift client,
 * music, then close everything. It never calls process.exit, so it only terminates if the
 * engine left no socket, timer or listener behind.
 */
import { stdout } from 'node:process';
import pino from 'pino';
import { TestBrowserClient } from './test-browser-client';
import { WeriftMediaEngine } from './werift-media-engine';

const engine = new WeriftMediaEngine(pino({ level: 'silent' }));
const client = new TestBrowserClient();
const ep = await engine.createEndpoint({ legId: 'fixture' });
await client.acceptAnswer(await ep.answer(await client.makeOffer()));
await client.connected();
ep.play('default');
await new Promise((r) => setTimeout(r, 600));
stdout.write(`music packets: ${client.received.length}\n`);
await engine.close();
await client.close();
stdout.write('closed\n');
