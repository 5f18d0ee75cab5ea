import { expect } from 'vitest';
import { Acd } from '../../acd/acd';
import type { AcdConfig, AcdOptions } from '../../acd/acd-config';
import { DatabaseClipSource } from '../../acd/database-clip-source';
import { reloadOnChange } from '../../admin/reload-on-change';
import { espeakSpeech } from '../../admin/press-one-clip';
import { UdpRtpPeer } from '../../acd/media/test-udp-peer';
import { WeriftMediaEngine } from '../../acd/media/werift-media-engine';
import type { SipRequest } from '../../acd/sip/message';
import { SipWsClient } from '../../acd/test-support/sip-ws-client';
import { speak } from '../../acd/test-support/tones';
import { createAdminServices, type AdminServices } from '../../admin/admin-services';
import type { TrunkDirectory } from '../../acd/trunks/trunk-directory';
import type { QueueRow } from '../../contracts/admin/queues';
import { openDatabase, type Database } from '../../db/database';
import { DEMO, seedDemo } from '../../db/seed';
import type { Logger } from '../../log';
import { CtiService, type CtiNotifier, type CtiServiceOptions } from '../cti-service';
import { PrismaCtiStore } from '../prisma-cti-store';
import { UaBank } from '../ua-bank/ua-bank';
import { DOMAIN, SECRET } from './acd-harness';

/**
 * The queue-behaviour integration tests' platform: the real ACD and media engine, the real bank
 * (JsSIP), the CTI and the admin services on one change publisher, on a seeded PGlite — what
 * `npm start` wires, in one process, on loopback ports of the test's own.
 */
export interface QueuePlatform {
  db: Database;
  engine: WeriftMediaEngine;
  acd: Acd;
  bank: UaBank;
  cti: CtiService;
  admin: AdminServices;
  wsUrl: string;
  /** closed first, last in first out, by `stop()` (callers' phones and clients) */
  closers: Array<() => Promise<void>>;
  stop(): Promise<void>;
}

export interface QueuePlatformOptions {
  logger: Logger;
  /** the media engine's RTP ports and its WebRTC ports: each test file its own */
  rtpPortRange: [number, number];
  portRange: [number, number];
  rtpTimeoutSec: number;
  /** before the ACD and the CTI start: library clips, the engine's clips, rows to change */
  prepare?(db: Database, engine: WeriftMediaEngine): Promise<void>;
  cti?: Partial<Pick<CtiServiceOptions, 'disconnectGraceMs'>>;
  /** SIP phones and trunks: the ACD's carriers (a mobile device, a transfer to a number) */
  trunks?: TrunkDirectory;
  /**
   * The ACD's clip library follows the portal's audio library as main.ts wires it, and a queue's
   * save makes its press-1 sentence (espeak-ng), as main.ts does. Off by default: tests that put a clip in the engine by hand under a
   * library clip's name (a 2 kHz tone to tell it from the music) keep theirs.
   */
  followLibrary?: boolean;
}

export async function startQueuePlatform(o: QueuePlatformOptions): Promise<QueuePlatform> {
  const { logger } = o;
  const db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  const engine = new WeriftMediaEngine(logger, { rtpPortRange: o.rtpPortRange, portRange: o.portRange, rtpTimeoutSec: o.rtpTimeoutSec });
  await o.prepare?.(db, engine);
  const acd = new Acd({
    // SIP over UDP too: desk phones register there, and UDP trunks leave from it
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, transports: { udpPort: 0 } },
    dialPlan: { lookup: (e164) => (e164 === DEMO.number ? { holdAudio: 'default' } : null) },
    media: engine,
    logger,
    ...(o.trunks ? { trunks: o.trunks } : {}),
  });
  await acd.start();
  const wsUrl = `ws://127.0.0.1:${acd.port}`;
  const bank = new UaBank({ wsUrl, domain: DOMAIN, secret: SECRET, size: 1, logger });
  const notifier: CtiNotifier = { agentChanged: () => undefined, callOffered: () => undefined, callChanged: () => undefined };
  const cti = new CtiService({ bank, store: new PrismaCtiStore(db.prisma), notifier, logger, secret: SECRET, sipDomain: DOMAIN, deviceWsUrl: wsUrl, deviceCredTtlSec: 600, sipPhone: { host: '127.0.0.1', port: acd.ports.UDP!, transports: ['UDP'] }, ...o.cti });
  cti.start();
  const admin = createAdminServices({ prisma: db.prisma, logger, live: cti, ...(o.followLibrary ? { speech: espeakSpeech } : {}) });
  admin.publisher.subscribe((c) => void cti.configChanged(c));
  let unfollow = () => {};
  if (o.followLibrary) {
    const clipSource = new DatabaseClipSource(db.prisma);
    await engine.clips.sync(clipSource);
    unfollow = reloadOnChange(admin.publisher, ['audio', 'queue'], async () => void (await engine.clips.sync(clipSource)), logger);
  }
  await bank.start(10_000);
  const closers: Array<() => Promise<void>> = [];
  return {
    db,
    engine,
    acd,
    bank,
    cti,
    admin,
    wsUrl,
    closers,
    async stop() {
      for (const c of closers.splice(0).reverse()) await c();
      unfollow();
      await admin.publisher.stop();
      await cti.stop();
      await bank.stop();
      await acd.stop();
      await engine.close();
      await db.close();
    },
  };
}

/** A queue row as the queue form sends it back: its settings and version, without what is read only. */
export function queueEdit(q: QueueRow) {
  const { id: _i, overflowQueueName: _o, scheduleName: _s, members: _m, numbers: _n, updatedAt: _u, updatedByName: _b, ...fields } = q;
  return fields;
}

/**
 * A plain RTP caller (a phone behind a trunk) dialling the demo number as `"name" <sip:user@…>`;
 * once answered it keeps sending silence (A-law), as a phone's microphone would — or its own
 * tone, `toneHz`, for a test that measures who hears whom.
 */
export async function plainRtpCaller(p: Pick<QueuePlatform, 'wsUrl' | 'closers'>, name: string, user = name, toneHz?: number) {
  const phone = await UdpRtpPeer.open();
  const client = await SipWsClient.connect(p.wsUrl, name);
  let talk: (() => void) | null = null;
  p.closers.push(async () => {
    talk?.();
    talk = null;
    await client.close();
    await phone.close();
  });
  const inv = client.makeRequest('INVITE', `sip:${DEMO.number}@${DOMAIN}`, { from: `"${name}" <sip:${user}@carrier.invalid>`, body: phone.sdp({ pts: '8 101' }) });
  client.send(inv);
  const ok = await client.response(inv.headers.get('Call-ID')!, 'INVITE', true, 10_000);
  expect(ok.status, ok.reason).toBe(200);
  phone.aimAt(ok.body);
  if (toneHz === undefined) {
    const silence = setInterval(() => phone.send(8, Buffer.alloc(160, 0xd5)), 20);
    talk = () => clearInterval(silence);
  } else talk = speak(phone, 8, toneHz);
  const dialog = client.dialogFrom(inv, ok);
  client.send(client.inDialog('ACK', dialog));
  const hangUp = async () => {
    client.send(client.inDialog('BYE', dialog));
    expect((await client.response(dialog.callId, 'BYE')).status).toBe(200);
  };
  return { phone, client, dialog, hangUp, isMine: (r: SipRequest) => r.headers.get('Call-ID') === dialog.callId };
}
