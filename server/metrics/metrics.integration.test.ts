import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Server as IoServer } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Acd } from '../acd/acd';
import { TestMediaEngine } from '../acd/test-support/test-media-engine';
import { SipWsClient } from '../acd/test-support/sip-ws-client';
import type { AuthUser } from '../contracts/auth';
import { startCti, type RunningCti } from '../cti/start-cti';
import { DOMAIN, SECRET, placeCall } from '../cti/test-support/acd-harness';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createApiHandler } from '../http/api-router';
import { SessionService } from '../http/session-service';
import { requireTool } from '../test-support/system-tools';
import { until } from '../test-support/until';
import { freePort, killSipps, runSipp } from '../../test/sipp/sipp-runner';
import { registerAcdMetrics } from './acd-metrics';
import { CtiMetrics } from './cti-metrics';
import { PlatformMetrics } from './platform-metrics';
import { parseExposition, value, type Samples } from './test-support/exposition';

/**
 * /metrics over the real parts, wired as server/main.ts wires them: the ACD on loopback (WS and
 * UDP), the CTI from startCti with its real JsSIP bank, the journal on PGlite, the API handler
 * serving GET /metrics to a scraper's bearer token. Calls are made by SIP clients; the
 * exposition is scraped over HTTP and parsed, and each counter must have moved by exactly what
 * the calls did. Then a SIPp burst past the ACD's ceiling: the excess callers get 503 with
 * Retry-After, the call in progress and the admitted callers carry on, one log line per episode.
 */
requireTool('sipp');
const TOKEN = 'metrics-integration-scrape-token-0123456789';
const OP1: AuthUser = { id: DEMO.users[1].id, email: DEMO.users[1].email, name: DEMO.users[1].name, role: 'OPERATOR' };
const QUEUE = DEMO.queue.name;
const MAX_WAITING = 4;

const logLines: Array<{ msg: string; [k: string]: unknown }> = [];
const logger = pino({ level: 'info' }, { write: (s: string) => void logLines.push(JSON.parse(s) as { msg: string }) });

let db: Database;
let acd: Acd;
let running: RunningCti;
let server: http.Server;
let base: string;
let wsUrl: string;
let device: SipWsClient;
let stopDevice = false;
/** while set, the operator's device answers every INVITE 486 Busy Here */
let deviceBusy = false;
const clients: SipWsClient[] = [];

async function scrape(): Promise<Samples> {
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

/** The operator's device: answers every INVITE the ACD sends it, and every BYE. */
function answerEverything(d: SipWsClient): void {
  const loop = async (method: string, onReq: (r: Awaited<ReturnType<SipWsClient['request']>>) => void) => {
    while (!stopDevice) {
      try {
        onReq(await d.request(method, () => true, 500));
      } catch {
        // nothing within 500 ms: look again
      }
    }
  };
  void loop('INVITE', (inv) => {
    if (deviceBusy) return d.respond(inv, 486);
    d.respond(inv, 180);
    d.answer(inv, 200, { body: inv.body });
  });
  void loop('BYE', (bye) => d.respond(bye, 200));
}

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 0, maxWaitSec: 600 } });
  acd = new Acd({
    config: {
      host: '127.0.0.1',
      port: 0,
      domain: DOMAIN,
      secret: SECRET,
      ringTimeoutDefaultSec: 20,
      transports: { udpPort: 0 },
      // the lag bound is off here: a loaded test machine must not decide the test
      overload: { maxWaiting: MAX_WAITING, maxLagMs: 0, resumeFraction: 0.5 },
    },
    dialPlan: { lookup: (n) => (n === DEMO.number ? { holdAudio: 'default' } : null) },
    media: new TestMediaEngine(),
    logger,
  });
  await acd.start();
  wsUrl = `ws://127.0.0.1:${acd.port}`;
  const metrics = new PlatformMetrics();
  registerAcdMetrics(metrics.registry, acd);
  const sessions = new SessionService({ prisma: db.prisma, ttlSec: 3600, secureCookie: false });
  running = await startCti({
    config: { host: '127.0.0.1', publicHost: '127.0.0.1', sipWsPort: acd.port, sipUdpPort: null, sipTcpPort: null, sipDomain: DOMAIN, secret: SECRET, bankSize: 1, deviceCredTtlSec: 600 },
    prisma: db.prisma,
    io: new IoServer(),
    sessions,
    logger,
    metrics: new CtiMetrics(metrics.registry),
  });
  const api = createApiHandler({ prisma: db.prisma, sessions, logger, config: { publicHost: '127.0.0.1', sipWsPort: acd.port, sipDomain: DOMAIN, metricsToken: TOKEN }, metrics });
  server = http.createServer((req, res) => void api(req, res).then((handled) => handled || res.writeHead(404).end()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { cti } = running;
  cti.operatorConnected(OP1);
  const grant = cti.chooseDevice(OP1.id, 'browser');
  device = await SipWsClient.connect(grant.wsUrl, grant.sipUser);
  expect((await device.register(grant.sipUser, DOMAIN, grant.sipUser, grant.sipPassword)).status).toBe(200);
  answerEverything(device);
}, 60_000);

afterAll(async () => {
  stopDevice = true;
  killSipps();
  await running?.stop();
  for (const c of [...clients, device]) await c?.close();
  await acd?.stop();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await db?.close();
}, 20_000);

describe('/metrics after real calls', () => {
  it('counts arrivals, offers, answers, abandons and ends by queue, their latencies, and the live picture', async () => {
    const { cti } = running;
    cti.setReady(OP1.id);
    const before = await scrape();
    const sipIn = (method: string) => value(before, 'patchbay_acd_sip_requests_total', { direction: 'in', method });

    // two calls answered by the operator, each ended by the caller
    for (let i = 0; i < 2; i++) {
      const caller = await placeCall(wsUrl);
      clients.push(caller.client);
      await until(() => cti.getAgent(OP1.id)?.state === 'talking', 8000, 'talking');
      expect((await caller.hangUp()).status).toBe(200);
      await until(() => cti.getAgent(OP1.id)?.state === 'ready', 5000, 'ready again (wrap-up 0)');
    }
    // one caller who leaves while nobody is ready
    await cti.setNotReady(OP1.id);
    const leaver = await placeCall(wsUrl);
    clients.push(leaver.client);
    await until(() => cti.liveFigures().waiting.get(QUEUE)?.calls === 1, 5000, 'the caller waits');
    const during = await scrape();
    expect(value(during, 'patchbay_calls_waiting', { queue: QUEUE })).toBe(1);
    expect(value(during, 'patchbay_calls_longest_wait_seconds', { queue: QUEUE })).toBeGreaterThan(0);
    expect(value(during, 'patchbay_acd_waiting_callers')).toBe(1);
    expect(value(during, 'patchbay_calls', { state: 'queued' })).toBe(1);
    expect(value(during, 'patchbay_calls', { state: 'connected' })).toBe(0);
    expect(value(during, 'patchbay_acd_legs', { kind: 'caller', state: 'parked' })).toBe(1);
    expect(value(during, 'patchbay_operators', { state: 'not_ready' })).toBe(1);
    expect(value(during, 'patchbay_operators', { state: 'ready' })).toBe(0);
    expect((await leaver.hangUp()).status).toBe(200);
    await until(() => cti.liveFigures().liveCalls === 0 && acd.legs().length === 0, 5000, 'nothing live');
    await cti.flush();
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);
    const q = { queue: QUEUE };
    expect(delta('patchbay_calls_arrived_total', q)).toBe(3);
    expect(delta('patchbay_calls_offered_total', q)).toBe(2);
    expect(delta('patchbay_calls_answered_total', q)).toBe(2);
    expect(delta('patchbay_calls_abandoned_total', q)).toBe(1);
    expect(delta('patchbay_calls_failed_total', q)).toBe(0);
    expect(delta('patchbay_calls_ended_total', { ...q, outcome: 'completed' })).toBe(2);
    expect(delta('patchbay_calls_ended_total', { ...q, outcome: 'abandoned' })).toBe(1);
    expect(delta('patchbay_call_offer_latency_seconds_count', q)).toBe(2);
    expect(delta('patchbay_call_answer_latency_seconds_count', q)).toBe(2);
    expect(delta('patchbay_call_answer_latency_seconds_sum', q)).toBeGreaterThan(0);
    // every offer came from memory within a second (the +Inf bucket holds them all)
    expect(delta('patchbay_call_offer_latency_seconds_bucket', { ...q, le: '1' })).toBe(2);
    expect(value(after, 'patchbay_calls_waiting', q)).toBe(0);
    expect(value(after, 'patchbay_calls_live')).toBe(0);
    // the journal wrote its rows in batches, and holds none after the flush
    expect(delta('patchbay_journal_batch_seconds_count', { result: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(value(after, 'patchbay_journal_batch_seconds_count', { result: 'failed' })).toBe(0);
    expect(value(after, 'patchbay_journal_rows_held')).toBe(0);
    // the bank's one UA is registered; it holds no control dialog now
    expect(value(after, 'patchbay_bank_uas', { state: 'registered' })).toBe(1);
    expect(value(after, 'patchbay_bank_ua_registered', { ua: '1' })).toBe(1);
    expect(value(after, 'patchbay_bank_control_dialogs')).toBe(0);
    // every dial was answered; each cause and recovery event is exported at 0 from the start
    for (const cause of ['busy', 'no_answer', 'declined', 'cancelled', 'not_found', 'unavailable', 'error']) expect(after.get(`patchbay_dial_failures_total{cause="${cause}"}`)).toBe(0);
    expect(after.get('patchbay_recovery_events_total{event="bank_registration_lost"}')).toBe(0);

    // the ACD's SIP, per call: the caller's INVITE and BYE in; the route-point INVITE out (3);
    // for each answered call the bank's dial INVITE once (its credentials answer the nonce the
    // route-point offer brought: no 407) and its BYE releasing the device, and the ACD's INVITE
    // and BYE to the device
    expect(value(after, 'patchbay_acd_sip_requests_total', { direction: 'in', method: 'INVITE' }) - sipIn('INVITE')).toBe(3 + 2);
    expect(delta('patchbay_acd_sip_requests_total', { direction: 'out', method: 'INVITE' })).toBe(3 + 2);
    expect(delta('patchbay_acd_sip_responses_total', { direction: 'out', method: 'INVITE', class: '4xx' })).toBe(0);
    expect(delta('patchbay_acd_sip_responses_total', { direction: 'out', method: 'INVITE', class: '2xx' })).toBe(3 + 2);
    expect(delta('patchbay_acd_sip_responses_total', { direction: 'out', method: 'INVITE', class: '5xx' })).toBe(0);
    expect(delta('patchbay_acd_sip_requests_total', { direction: 'in', method: 'BYE' })).toBe(3 + 2);
    expect(value(after, 'patchbay_acd_sip_transactions', { side: 'server' })).toBeGreaterThanOrEqual(0);
    // process metrics come with it
    expect(value(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(after.has('nodejs_eventloop_lag_p99_seconds')).toBe(true);
  }, 60_000);
});

describe('overload: a SIPp burst past the ACD ceiling', () => {
  it('refuses the excess callers with 503 + Retry-After, keeps the call in progress and the admitted callers, logs once per episode', async () => {
    const { cti } = running;
    // a call in progress before the burst
    cti.setReady(OP1.id);
    const inProgress = await placeCall(wsUrl);
    clients.push(inProgress.client);
    await until(() => cti.getAgent(OP1.id)?.state === 'talking', 8000, 'talking');
    const callInProgress = cti.getAgent(OP1.id)!.callId!;
    const before = await scrape();
    const logsBefore = logLines.length;

    // 10 callers at 50 calls/s, each admitted one waiting 6 s before hanging up
    const burst = 10;
    const udp = acd.ports.UDP!;
    const sipp = runSipp('caller-overload-uac.xml', [`127.0.0.1:${udp}`, '-s', DEMO.number, '-i', '127.0.0.1', '-p', String(await freePort()), '-m', String(burst), '-r', '50', '-l', String(burst), '-d', '6000', '-aa'], 30);
    await until(() => acd.overload.refused.waiting === burst - MAX_WAITING, 10_000, 'the excess callers refused');
    await until(() => cti.liveFigures().waiting.get(QUEUE)?.calls === MAX_WAITING, 5000, 'the admitted callers wait in the queue');

    const peak = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => value(peak, name, labels) - value(before, name, labels);
    expect(value(peak, 'patchbay_acd_overloaded')).toBe(1);
    expect(peak.has('patchbay_acd_overload_lag_seconds')).toBe(true);
    expect(delta('patchbay_acd_overload_refused_total', { reason: 'waiting' })).toBe(burst - MAX_WAITING);
    expect(delta('patchbay_acd_overload_episodes_total')).toBe(1);
    expect(delta('patchbay_acd_sip_responses_total', { direction: 'out', method: 'INVITE', class: '5xx' })).toBe(burst - MAX_WAITING);
    expect(value(peak, 'patchbay_acd_waiting_callers')).toBe(MAX_WAITING);
    expect(value(peak, 'patchbay_calls_waiting', { queue: QUEUE })).toBe(MAX_WAITING);
    // refused callers never reached the CTI: only the admitted ones arrived
    expect(delta('patchbay_calls_arrived_total', { queue: QUEUE })).toBe(MAX_WAITING);
    // the call in progress is untouched
    expect(cti.getCall(callInProgress)?.status).toBe('connected');
    expect(acd.legs().filter((l) => l.state === 'bridged')).toHaveLength(2);

    // the call in progress ends normally; the operator is free and takes the oldest admitted caller
    expect((await inProgress.hangUp()).status).toBe(200);
    await until(() => cti.getCall(callInProgress)?.status === 'ended', 5000, 'the call in progress ended');
    expect(cti.getCall(callInProgress)).toMatchObject({ endedBy: 'caller' });
    await until(() => cti.getAgent(OP1.id)?.state === 'talking' && cti.getAgent(OP1.id)?.callId !== callInProgress, 8000, 'an admitted caller is answered');

    // every SIPp call followed one of the two paths (admitted then BYE, or 503 with Retry-After: 30)
    const r = await sipp.done;
    // -aa answers the ACD's state INFO to a bridged caller, and SIPp notes each time it did
    const errors = r.errors
      .split('\n')
      .filter((l) => !/Automatic response mode for an unexpected INFO|The following events occurred:$/.test(l))
      .join('\n')
      .replace(/The following events occurred:/g, '')
      .trim();
    expect(errors).toBe('');
    expect(r.code).toBe(0);
    await until(() => cti.liveFigures().liveCalls === 0 && acd.legs().length === 0, 8000, 'every caller gone');
    await until(() => acd.overload.status === 'normal', 3000, 'admitting again');
    await cti.flush();
    const after = await scrape();
    const total = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);
    expect(value(after, 'patchbay_acd_overloaded')).toBe(0);
    expect(total('patchbay_acd_overload_refused_total', { reason: 'waiting' })).toBe(burst - MAX_WAITING);
    // nobody admitted was dropped: the call in progress and each admitted caller ended as completed
    // (the operator took them, one after another as each hung up) or abandoned (they hung up first)
    const completed = total('patchbay_calls_ended_total', { queue: QUEUE, outcome: 'completed' });
    const abandoned = total('patchbay_calls_ended_total', { queue: QUEUE, outcome: 'abandoned' });
    expect(completed).toBeGreaterThanOrEqual(2);
    expect(completed + abandoned).toBe(1 + MAX_WAITING);
    const ended = [...after.entries()].filter(([k]) => k.startsWith('patchbay_calls_ended_total{')).reduce((n, [k, v]) => n + v - (before.get(k) ?? 0), 0);
    expect(ended).toBe(1 + MAX_WAITING);
    expect(total('patchbay_calls_failed_total', { queue: QUEUE })).toBe(0);

    // one line when the episode began, one when it ended: not one per refused caller
    const overloadLines = logLines.slice(logsBefore).filter((l) => l.msg.startsWith('overload'));
    expect(overloadLines.map((l) => l.msg)).toEqual(['overloaded: new callers are refused until the load falls', 'overload over: new callers are admitted again']);
    expect(overloadLines[1]).toMatchObject({ reason: 'waiting', refused: burst - MAX_WAITING });
  }, 60_000);
});

describe('dial failures', () => {
  it("counts a device that answers 486 as a busy dial failure, by the status the bank saw", async () => {
    const { cti } = running;
    await until(() => cti.liveFigures().liveCalls === 0, 8000, 'nothing live');
    const before = await scrape();
    await until(() => ['ready', 'not_ready'].includes(cti.getAgent(OP1.id)?.state ?? ''), 8000, 'the operator free');
    deviceBusy = true;
    try {
      if (cti.getAgent(OP1.id)?.state !== 'ready') cti.setReady(OP1.id);
      const caller = await placeCall(wsUrl);
      clients.push(caller.client);
      await until(() => running.bank.figures().dialFailures[0]! > (before.get('patchbay_dial_failures_total{cause="busy"}') ?? 0), 8000, 'a busy dial');
      expect((await caller.hangUp()).status).toBe(200);
      await until(() => cti.liveFigures().liveCalls === 0, 8000, 'the caller gone');
    } finally {
      deviceBusy = false;
    }
    const after = await scrape();
    const delta = (cause: string) => value(after, 'patchbay_dial_failures_total', { cause }) - value(before, 'patchbay_dial_failures_total', { cause });
    expect(delta('busy')).toBeGreaterThanOrEqual(1);
    for (const cause of ['no_answer', 'declined', 'not_found', 'unavailable', 'error']) expect(delta(cause), cause).toBe(0);
  }, 30_000);
});
