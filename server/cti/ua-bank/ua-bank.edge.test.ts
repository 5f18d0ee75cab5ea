import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { makeResponse, newBranch, randomToken } from '../../acd/sip/builders';
import { SipHeaders, type SipMessage, type SipRequest } from '../../acd/sip/message';
import { parseMessage } from '../../acd/sip/parser';
import { serialize } from '../../acd/sip/serializer';
import { createLogger } from '../../log';
import { controlSdp } from '../../shared/sip-control';
import { until } from '../../test-support/until';
import { createRequire } from 'node:module';
import { BANK_TIMER_L_MS, loadJsSip } from './load-jssip';
import type { LegOffered } from '../ports/bank-port';
import { UaBank } from './ua-bank';

/**
 * Error paths the real ACD never produces (it always sends valid headers): a minimal SIP peer
 * over WebSocket accepts the bank's REGISTER and sends route-point INVITEs with headers we choose.
 */
class ScriptedPeer {
  readonly wss: WebSocketServer;
  readonly received: SipMessage[] = [];
  socket: WebSocket | null = null;
  constructor() {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'sip' });
    this.wss.on('connection', (ws) => {
      this.socket = ws;
      ws.on('message', (data) => {
        const r = parseMessage(Buffer.from(data as Buffer));
        if (!r.ok) return;
        this.received.push(r.message);
        const m = r.message;
        if (m.kind === 'request' && m.method === 'REGISTER') {
          ws.send(serialize(makeResponse(m, 200, { toTag: randomToken(), headers: [['Contact', `${m.headers.get('Contact')};expires=300`]] })));
        } else if (m.kind === 'request' && m.method !== 'ACK') {
          ws.send(serialize(makeResponse(m, 200, { toTag: randomToken() })));
        }
      });
    });
  }
  static async start(): Promise<ScriptedPeer> {
    const p = new ScriptedPeer();
    await new Promise<void>((r) => p.wss.once('listening', () => r()));
    return p;
  }
  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }
  invite(headers: Array<[string, string]>): string {
    const callId = `${randomToken(8)}@peer`;
    const h = new SipHeaders()
      .append('Via', `SIP/2.0/WS peer.invalid;branch=${newBranch()}`)
      .append('Max-Forwards', '70')
      .append('From', `"Carla" <sip:carla@peer.invalid>;tag=${randomToken()}`)
      .append('To', '<sip:route@patchbay.local>')
      .append('Call-ID', callId)
      .append('CSeq', '1 INVITE')
      .append('Contact', '<sip:acd@peer.invalid;transport=ws>')
      .append('Content-Type', 'application/sdp');
    for (const [n, v] of headers) h.append(n, v);
    const req: SipRequest = { kind: 'request', method: 'INVITE', uri: 'sip:route@patchbay.local', headers: h, body: controlSdp(1) };
    this.socket!.send(serialize(req));
    return callId;
  }
  finalTo(callId: string): number | null {
    const r = this.received.find((m) => m.kind === 'response' && m.headers.get('Call-ID') === callId && m.status >= 200);
    return r && r.kind === 'response' ? r.status : null;
  }
  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}

const logger = createLogger('silent');
let peer: ScriptedPeer | null = null;
let bank: UaBank | null = null;

afterEach(async () => {
  await bank?.stop();
  await peer?.close();
  bank = null;
  peer = null;
}, 10_000);

describe('UaBank edges', () => {
  it('answers 400 to a route-point INVITE whose control headers fail their schema, 200 to a good one', async () => {
    peer = await ScriptedPeer.start();
    bank = new UaBank({ wsUrl: peer.url, domain: 'patchbay.local', secret: 's'.repeat(32), size: 1, logger });
    const offered: LegOffered[] = [];
    bank.on('legOffered', (e) => offered.push(e));
    await bank.start(5000);

    const bad = peer.invite([['X-PB-Leg', 'not-a-leg'], ['X-PB-Dialed', '+15550100']]);
    await until(() => peer!.finalTo(bad) !== null, 5000, 'final response to the bad INVITE');
    expect(peer.finalTo(bad)).toBe(400);

    const good = peer.invite([['X-PB-Leg', 'leg-00000000000000aa'], ['X-PB-Dialed', '+15550100']]);
    await until(() => peer!.finalTo(good) !== null, 5000, 'final response to the good INVITE');
    expect(peer.finalTo(good)).toBe(200);
    const ok = peer.received.find((m) => m.kind === 'response' && m.headers.get('Call-ID') === good && m.status === 200)!;
    expect(ok.body).toContain('a=inactive');
    await until(() => offered.length === 1, 3000, 'legOffered');
    expect(offered).toEqual([expect.objectContaining({ legId: 'leg-00000000000000aa', dialed: '+15550100', audio: null, callerName: 'Carla' })]);
    // JsSIP got its browser names in its own scope: nothing leaked onto the process's globals.
    expect(loadJsSip().scoped).toBe(true);
    const g = globalThis as Record<string, unknown>;
    expect([g.window, g.RTCPeerConnection, g.RTCSessionDescription]).toEqual([undefined, undefined, undefined]);
    // an answered route-point INVITE's transaction is kept 4 s, not 32 (the merged-request scan's size)
    expect((createRequire(import.meta.url)('jssip/lib/Timers.js') as { TIMER_L: number }).TIMER_L).toBe(BANK_TIMER_L_MS);
  }, 15_000);

  it('reports a lost registration loudly and registers again after reconnecting', async () => {
    peer = await ScriptedPeer.start();
    bank = new UaBank({ wsUrl: peer.url, domain: 'patchbay.local', secret: 's'.repeat(32), size: 1, logger, reconnectMinSec: 1, reconnectMaxSec: 1 });
    const lost: string[] = [];
    let registrations = 0;
    bank.on('registrationLost', (e) => lost.push(e.reason));
    bank.on('registered', () => registrations++);
    await bank.start(5000);
    expect(registrations).toBe(1);

    peer.socket!.terminate();
    await until(() => lost.length === 1, 5000, 'registrationLost');
    expect(bank.isReady()).toBe(false);
    expect(lost[0]).toMatch(/disconnected|Connection Error/);
    await until(() => registrations === 2, 8000, 're-registration');
    expect(bank.isReady()).toBe(true);
  }, 20_000);

  it('fails a dial at once when no UA is registered', async () => {
    bank = new UaBank({ wsUrl: 'ws://127.0.0.1:9', domain: 'patchbay.local', secret: 's'.repeat(32), size: 1, logger });
    const o = await bank.dial({ deviceUri: 'sip:dev@patchbay.local', bridgeTo: 'leg-00000000000000aa', ringTimeoutSec: 10 }).outcome;
    expect(o).toEqual({ kind: 'failed', status: 503, cause: 'bank not registered' });
  });
});
