import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView, ClientEvents, ServerEvents, SipPhoneGrant } from '../../server/contracts/socket-events';
import { SipWsClient } from '../../server/acd/test-support/sip-ws-client';
import { UdpRtpPeer } from '../../server/acd/media/test-udp-peer';
import type { Database } from '../../server/db/database';
import { DEMO } from '../../server/db/seed';
import { issueDeviceCredentials } from '../../server/shared/credentials';
import { requireTool } from '../../server/test-support/system-tools';
import { until, untilAsync } from '../../server/test-support/until';
import { listenPort, RoleProcess, within } from '../roles/role-process';
import type { KamailioProcess } from './kamailio-process';
import { ask, logLines, NodeSite, ProxiedCaller, routePointUp as routePointUpAt, signIn } from './node-harness';

/**
 * Several ACD nodes behind Kamailio (docs/deploy.md, "Several ACD nodes"), all real: two ACD
 * processes, one CTI process whose bank registers with both, Kamailio running the repository's
 * deploy/kamailio/kamailio.cfg on free loopback ports, a scratch PostgreSQL database.
 * 1. SIPp callers sent to Kamailio reach both nodes (counted in each node's log).
 * 2. Two operators on SIP phones registered with both nodes: each caller is bridged by the node
 *    that took it (the phone's INVITE comes from that node), hangs up through Kamailio's route set,
 *    and that node releases the phone (in the last call the phone hangs up first, and the node's BYE
 *    reaches the caller through the front). Desk phones registering through the front stay on one
 *    node per AOR. The CTI killed with a call on each node: both rebuilt; meanwhile a caller is
 *    answered by a live node (dispatcher set 2), not refused.
 * 3. One node killed with SIGKILL while callers keep arriving every 250 ms: how long until it is
 *    out of the choice, how long until the survivor answers, how many calls failed; the operator of
 *    its bridged call freed after ACD_NODE_LOST_SEC. It is restarted (probed up once the bank is
 *    back, takes calls again); then the other node is killed idle (the probes alone take it out).
 */
const SECRET = 'kamailio-nodes-secret-'.padEnd(44, 'k');
const LO = '127.0.0.1';
const PING_SEC = 1;
const FR_MS = 1500;
const NODE_LOST_SEC = 3;

let site: NodeSite;
let db: Database;
let dir: string;
let kam: KamailioProcess;
let acds: RoleProcess[];
let ports: NodeSite['ports'];
let closers: NodeSite['closers'];
const acdEnv = (i: number) => site.acdEnv(i);
const ctiEnv = () => site.ctiEnv();
let cti: RoleProcess;

beforeAll(async () => {
  requireTool('sipp');
  site = await NodeSite.start({ name: 'kamailio', secret: SECRET, pingSec: PING_SEC, frMs: FR_MS, nodeLostSec: NODE_LOST_SEC, rtpBase: 45_800 });
  ({ db, kam, acds, ports, closers, cti } = site);
  dir = site.workDir;
}, 300_000);

afterAll(() => site?.stop(), 60_000);

const lines = logLines;
const arrivals = (i: number) => lines(acds[i]!, 'caller arrived');

const routePointUp = (port: number) => routePointUpAt(kam, port);

/** A desk phone with one account per ACD node (same credentials: they are issued under the shared secret). */
async function phoneOnEveryNode(grant: SipPhoneGrant, name: string) {
  const lines: SipWsClient[] = [];
  for (const [i, n] of ports.nodes.entries()) {
    const sip = await SipWsClient.udp(LO, n.udp, `${name}-node${i}`);
    closers.push(() => sip.close());
    const reg = await sip.register(grant.sipUser, grant.domain, grant.sipUser, grant.sipPassword);
    if (reg.status !== 200) throw new Error(`${name}: REGISTER at node ${i} answered ${reg.status}`);
    lines.push(sip);
  }
  const rtp = await UdpRtpPeer.open();
  closers.push(() => rtp.close());
  /** The next INVITE on any of its accounts, answered; which node sent it. */
  const answerNext = async (timeoutMs: number) => {
    const ring = await Promise.any(lines.map((sip, node) => sip.request('INVITE', () => true, timeoutMs).then((inv) => ({ inv, node, sip }))));
    rtp.aimAt(ring.inv.body);
    const dialog = ring.sip.answer(ring.inv, 200, { body: rtp.sdp({ pts: '0 101' }) });
    await ring.sip.request('ACK', (r) => r.headers.get('Call-ID') === dialog.callId);
    return { node: ring.node, dialog };
  };
  const released = async (node: number, timeoutMs: number) => lines[node]!.respond(await lines[node]!.request('BYE', () => true, timeoutMs), 200);
  return { answerNext, released, lines };
}

async function operator(userId: string) {
  const { socket, states } = await signIn(db, ports.cti, userId, closers);
  return { socket, states, phone: await choosePhone(socket, userId) };
}

/** The operator chooses a SIP phone on the console (again after a CTI restart: a new CTI does not know it) and it registers with every node. */
async function choosePhone(socket: Socket<ServerEvents, ClientEvents>, userId: string) {
  const grant = await ask<SipPhoneGrant>(socket, 'agent:device', { kind: 'sip_phone' });
  if (!grant.ok) throw new Error(`device refused: ${JSON.stringify(grant)}`);
  return phoneOnEveryNode(grant.data, `phone-${userId.slice(-4)}-${randomBytes(2).toString('hex')}`);
}

const openCaller = (n: number) => ProxiedCaller.open(ports.kam, n, closers);

describe('two ACD nodes behind Kamailio', () => {
  it('spreads callers over both nodes, bridges each on the node that took it, and moves new calls to the survivor when one is killed', { timeout: 240_000 }, async () => {
    // the bank registered the route point with each node
    for (const n of ports.nodes) await until(() => lines(cti, 'bank UA registered the route point').some((l) => l.acdNode === `ws://${LO}:${n.ws}`), 20_000, `bank registered with ${n.ws}`);
    // and Kamailio's probes of the route point (480 before the bank came) say so
    for (const n of ports.nodes) await until(() => routePointUp(n.udp), (PING_SEC + 5) * 1000, `route point probed up at ${n.udp}`);

    // 1. SIPp callers through the front (Record-Route → [routes] in ACK and BYE)
    const CALLS = 10;
    const before = [arrivals(0).length, arrivals(1).length];
    const sippPort = await listenPort('udp');
    const mediaPort = await listenPort('udp');
    const sipp = spawn(
      'timeout',
      ['-k', '2', '40', 'sipp', '-sf', path.resolve('test/kamailio/uac-through-proxy.xml'), `${LO}:${ports.kam}`, '-s', DEMO.number, '-i', LO, '-p', String(sippPort), '-mp', String(mediaPort), '-m', String(CALLS), '-r', '5', '-l', '20', '-nostdin', '-timeout', '35s', '-timeout_error'],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let sippErr = '';
    sipp.stderr?.on('data', (d: Buffer) => (sippErr += d.toString()));
    const [code] = (await once(sipp, 'exit')) as [number | null];
    expect(code, sippErr).toBe(0);
    const perNode = [arrivals(0).length - before[0]!, arrivals(1).length - before[1]!];
    expect(perNode[0]! + perNode[1]!).toBe(CALLS);
    // round robin: both nodes took callers
    expect(perNode[0]).toBeGreaterThan(0);
    expect(perNode[1]).toBeGreaterThan(0);

    // 2. operators on phones both nodes reach; each caller bridged by its own node, hung up in order
    const users = [DEMO.users[1].id, DEMO.users[2].id];
    const ops = [await operator(users[0]!), await operator(users[1]!)];
    const rtp = await UdpRtpPeer.open();
    closers.push(() => rtp.close());
    const bridged: Array<{ node: number; arrivedAt: number; answerMs: number }> = [];
    for (let round = 0; round < 4; round++) {
      const op = ops[round % 2]!;
      const answered = op.phone.answerNext(20_000);
      expect(await ask<AgentView>(op.socket, 'agent:ready', {})).toMatchObject({ ok: true });
      const caller = await openCaller(round);
      const counts = [arrivals(0).length, arrivals(1).length];
      const t0 = Date.now();
      const c = await caller.call(rtp.sdp({ pts: '0 101' }), 10_000);
      expect(c.ok.status).toBe(200);
      expect(c.route, 'Kamailio record-routes the dialog').toContain(`${LO}:${ports.kam}`);
      const { node, dialog: phoneDialog } = await answered;
      // the node that rang the phone is the node where this caller arrived
      // (one caller at a time: the node whose log gained a 'caller arrived'; the log masks the number)
      await until(() => arrivals(0).length + arrivals(1).length > counts[0]! + counts[1]!, 5000, 'the caller logged by a node');
      const arrivedAt = [0, 1].find((i) => arrivals(i).length > counts[i]!);
      expect(arrivedAt, `caller ${caller.number} arrived somewhere`).toBeDefined();
      expect(node).toBe(arrivedAt);
      await until(() => op.states.at(-1)?.state === 'talking', 10_000, 'operator talking');
      bridged.push({ node, arrivedAt: arrivedAt!, answerMs: Date.now() - t0 });
      if (round < 3) {
        // the caller's BYE goes through the front to its node; that node releases the phone
        expect(await caller.hangUp(c)).toBe(200);
        await op.phone.released(node, 10_000);
      } else {
        // the operator hangs up first: the CTI releases the caller, and the node's BYE reaches the
        // caller through the front (the route set from Kamailio's Record-Route)
        const line = op.phone.lines[node]!;
        line.send(line.inDialog('BYE', phoneDialog));
        expect((await line.response(phoneDialog.callId, 'BYE')).status).toBe(200);
        const bye = await caller.sip.request('BYE', (r) => r.headers.get('Call-ID') === c.dialog.callId, 10_000);
        caller.sip.respond(bye, 200);
        const vias = bye.headers.getAll('Via');
        expect(vias.join(','), 'the BYE passed the front').toContain(`127.0.0.1:${ports.kam}`);
      }
      await until(() => op.states.at(-1)?.state !== 'talking', 10_000, 'operator free');
      expect(await ask<AgentView>(op.socket, 'agent:not-ready', {})).toMatchObject({ ok: true });
    }
    expect(new Set(bridged.map((b) => b.node)).size, JSON.stringify(bridged)).toBe(2);

    // 2a. desk phones registering through the front: each AOR kept on one node (hash of the To URI)
    const regNodes: Record<string, number[]> = {};
    const registrations = (i: number, user: string) => lines(acds[i]!, 'registration updated').filter((l) => l.user === user).length;
    for (let n = 0; n < 12; n++) {
      const cred = issueDeviceCredentials(SECRET, 600);
      const sip = await SipWsClient.udp(LO, ports.kam, `front-phone${n}`);
      closers.push(() => sip.close());
      for (let again = 0; again < 2; again++) {
        const reg = await sip.register(cred.user, 'patchbay.local', cred.user, cred.password);
        expect(reg.status).toBe(200);
      }
      await until(() => registrations(0, cred.user) + registrations(1, cred.user) === 2, 5000, 'both REGISTERs logged');
      regNodes[cred.user] = [registrations(0, cred.user), registrations(1, cred.user)];
    }
    // every AOR's two REGISTERs (and their challenges) reached the same node
    for (const counts of Object.values(regNodes)) expect([...counts].sort()).toEqual([0, 2]);
    const registeredPerNode = [0, 1].map((i) => Object.values(regNodes).filter((c) => c[i] === 2).length);

    // 2b. CTI restart recovery per node: one call bridged on each node, the CTI killed with SIGKILL and
    // started again; each node re-offers its legs to the new bank (X-PB-Recovered), both calls rebuilt
    const talking: Array<{ caller: ProxiedCaller; c: Awaited<ReturnType<ProxiedCaller['call']>>; node: number }> = [];
    for (const [i, op] of ops.entries()) {
      const answered = op.phone.answerNext(20_000);
      expect(await ask<AgentView>(op.socket, 'agent:ready', {})).toMatchObject({ ok: true });
      const caller = await openCaller(20 + i);
      const c = await caller.call(rtp.sdp({ pts: '0 101' }), 10_000);
      expect(c.ok.status).toBe(200);
      talking.push({ caller, c, node: (await answered).node });
      await until(() => op.states.at(-1)?.state === 'talking', 10_000, 'operator talking');
    }
    expect(talking.map((t) => t.node).sort()).toEqual([0, 1]);
    await new Promise((r) => setTimeout(r, 500));
    cti.kill();
    await cti.exit();
    const ctiKilledAt = Date.now();
    // with no CTI, every node answers the route point's probe 480: set 1 is empty, and a caller is
    // taken by a live node from set 2 (answered, waits with music) instead of a 503
    for (const n of ports.nodes) await until(() => !routePointUp(n.udp), (PING_SEC + 5) * 1000, `route point probed down at ${n.udp}`);
    const noCtiDownMs = Date.now() - ctiKilledAt;
    const lonely = await openCaller(30);
    const lc = await lonely.call(rtp.sdp({ pts: '0 101' }), 10_000);
    expect(lc.ok.status).toBe(200);
    await kam.waitFor(/no ACD node has a CTI bank registered/, 5000);
    expect(await lonely.hangUp(lc)).toBe(200);
    const spawnedAt = Date.now();
    cti = site.cti = RoleProcess.spawn('cti', ctiEnv());
    const settled = await cti.logLine('recovery settled', 90_000);
    const recoverySettledMs = Date.now() - spawnedAt;
    expect(settled).toMatchObject({ talking: 2, parked: 0, closed: 0, released: 0 });
    for (const op of ops) await until(() => op.states.at(-1)?.state === 'talking', 20_000, 'the console shows the call again');
    for (const [i, t] of talking.entries()) {
      expect(await t.caller.hangUp(t.c)).toBe(200);
      await ops[i]!.phone.released(t.node, 10_000);
      await until(() => ops[i]!.states.at(-1)?.state !== 'talking', 10_000, 'operator free after the recovered call');
      // Not ready (device) now: the operator chooses their phone again (as in test/roles/cti-recovery.test.ts)
      ops[i]!.phone = await choosePhone(ops[i]!.socket, users[i]!);
      await ask<AgentView>(ops[i]!.socket, 'agent:not-ready', {});
    }

    // 3. a call bridged on node 0, then node 0 killed; callers keep arriving every 250 ms
    const op0 = ops[0]!;
    let doomed: { callId: string; number: string } | null = null;
    for (let attempt = 0; attempt < 4 && !doomed; attempt++) {
      const answered = op0.phone.answerNext(20_000);
      expect(await ask<AgentView>(op0.socket, 'agent:ready', {})).toMatchObject({ ok: true });
      const caller = await openCaller(50 + attempt);
      const c = await caller.call(rtp.sdp({ pts: '0 101' }), 10_000);
      expect(c.ok.status).toBe(200);
      const { node } = await answered;
      await until(() => op0.states.at(-1)?.state === 'talking', 10_000, 'operator talking');
      if (node === 0) doomed = { callId: c.dialog.callId, number: caller.number };
      else {
        // landed on the node that stays: hang up and try again (round robin sends the next to node 0)
        expect(await caller.hangUp(c)).toBe(200);
        await op0.phone.released(node, 10_000);
        await until(() => op0.states.at(-1)?.state !== 'talking', 10_000, 'operator free');
        expect(await ask<AgentView>(op0.socket, 'agent:not-ready', {})).toMatchObject({ ok: true });
      }
    }
    expect(doomed, 'a call bridged on node 0').not.toBeNull();
    const victim = acds[0]!;
    const killMark = kam.mark();
    const killedAt = Date.now();
    victim.kill();
    await within(victim.exit(), 5000, () => 'the ACD did not die');
    const downAt = kam.waitFor(new RegExp(`ACD node down: sip:route@127\\.0\\.0\\.1:${ports.nodes[0]!.udp} `), 15_000, killMark);
    // the CTI gives the dead node's legs up after ACD_NODE_LOST_SEC: the call ends, its operator is free
    const freed = until(() => op0.states.at(-1)?.state !== 'talking', (NODE_LOST_SEC + 10) * 1000, 'operator freed from the dead node').then(() => Date.now() - killedAt);
    const results: Array<{ sentMs: number; status: number; setupMs: number }> = [];
    const survivorBefore = arrivals(1).length;
    const calls: Array<Promise<void>> = [];
    const live: Array<() => Promise<number>> = [];
    for (let n = 0; n < 24; n++) {
      const caller = await openCaller(100 + n);
      const sentAt = Date.now();
      calls.push(
        caller.call(rtp.sdp({ pts: '0 101' }), 12_000).then(
          (c) => {
            results.push({ sentMs: sentAt - killedAt, status: c.ok.status, setupMs: Date.now() - sentAt });
            if (c.ok.status === 200) live.push(() => caller.hangUp(c));
          },
          () => void results.push({ sentMs: sentAt - killedAt, status: 0, setupMs: Date.now() - sentAt }),
        ),
      );
      await new Promise((r) => setTimeout(r, 250));
    }
    await Promise.all(calls);
    const markedDownMs = (await downAt) - killedAt;
    results.sort((a, b) => a.sentMs - b.sentMs);
    const answered = results.filter((r) => r.status === 200);
    const failed = results.filter((r) => r.status !== 200);
    // every call the survivor answered arrived there (the dead node answers nothing)
    await until(() => arrivals(1).length - survivorBefore >= answered.length, 5000, 'the survivor logged every caller it answered');
    expect(arrivals(1).length - survivorBefore).toBe(answered.length);
    // once the probes took the dead node out, no call fails
    expect(failed.filter((r) => r.sentMs > markedDownMs)).toEqual([]);
    const firstAccepted = Math.min(...answered.map((r) => r.sentMs + r.setupMs));
    expect(markedDownMs).toBeLessThan((PING_SEC * 1000 + FR_MS) * 3);
    for (const h of live) expect(await h()).toBe(200);

    // the CTI noticed the node is unreachable (its bank lost the registration)
    await until(() => lines(cti, 'ACD node unreachable: no bank UA registered with it').length > 0, 10_000, 'CTI saw the node go');
    const operatorFreedMs = await freed;
    expect(operatorFreedMs).toBeGreaterThanOrEqual(NODE_LOST_SEC * 1000);
    await ask<AgentView>(op0.socket, 'agent:not-ready', {});
    const row = await db.prisma.call.findFirstOrThrow({ where: { callerNumber: doomed!.number } });
    await untilAsync(async () => (await db.prisma.call.findUniqueOrThrow({ where: { id: row.id } })).endedAt !== null, 10_000, 'the dead node’s call closed in the database');

    // 4. node 0 restarted: the probes bring it back, the bank registers with it again, it takes calls again
    const regsBefore = lines(cti, 'bank UA registered the route point').filter((l) => l.acdNode === `ws://${LO}:${ports.nodes[0]!.ws}`).length;
    const restartMark = kam.mark();
    const restartedAt = Date.now();
    acds[0] = RoleProcess.spawn('acd', acdEnv(0));
    await acds[0].logLine('acd started', 120_000);
    const startedMs = Date.now() - restartedAt;
    // set 2 (alive) up at the first probe; set 1 (route point) only once the bank registered again
    const upMs = (await kam.waitFor(new RegExp(`ACD node up: sip:127\\.0\\.0\\.1:${ports.nodes[0]!.udp} `), 20_000, restartMark)) - restartedAt;
    const routeUpMs = (await kam.waitFor(new RegExp(`ACD node up: sip:route@127\\.0\\.0\\.1:${ports.nodes[0]!.udp} `), 45_000, restartMark)) - restartedAt;
    await until(() => lines(cti, 'bank UA registered the route point').filter((l) => l.acdNode === `ws://${LO}:${ports.nodes[0]!.ws}`).length > regsBefore, 40_000, 'the bank registered with the restarted node');
    const bankBackMs = Date.now() - restartedAt;
    const back = [arrivals(0).length, arrivals(1).length];
    for (let n = 0; n < 4; n++) {
      const caller = await openCaller(200 + n);
      const c = await caller.call(rtp.sdp({ pts: '0 101' }), 10_000);
      expect(c.ok.status).toBe(200);
      expect(await caller.hangUp(c)).toBe(200);
    }
    await until(() => arrivals(0).length - back[0]! + arrivals(1).length - back[1]! === 4, 5000, 'four callers logged');
    expect(arrivals(0).length - back[0]!).toBeGreaterThan(0);
    expect(arrivals(1).length - back[1]!).toBeGreaterThan(0);

    // 5. node 1 killed with no call in flight: the OPTIONS probes alone take it out; the next call goes straight to node 0
    const idleMark = kam.mark();
    const idleKilledAt = Date.now();
    acds[1]!.kill();
    await acds[1]!.exit();
    const probeDownMs = (await kam.waitFor(new RegExp(`ACD node down: sip:route@127\\.0\\.0\\.1:${ports.nodes[1]!.udp} `), 15_000, idleMark)) - idleKilledAt;
    expect(probeDownMs).toBeLessThan(PING_SEC * 1000 + FR_MS + 3000);
    const after: number[] = [];
    for (let n = 0; n < 2; n++) {
      const caller = await openCaller(300 + n);
      const t = Date.now();
      const c = await caller.call(rtp.sdp({ pts: '0 101' }), 10_000);
      expect(c.ok.status).toBe(200);
      after.push(Date.now() - t);
      expect(await caller.hangUp(c)).toBe(200);
    }
    // no failover wait: the dead node is no longer chosen
    for (const ms of after) expect(ms).toBeLessThan(FR_MS);

    const figures = {
      recoverySettledMs,
      noCtiDownMs,
      registeredPerNode,
      operatorFreedMs,
      restart: { startedMs, upMs, bankBackMs, routeUpMs },
      probeDownMs,
      answerMsAfterProbeDown: after,
      sippPerNode: perNode,
      bridged,
      markedDownMs,
      firstAcceptedBySurvivorMs: firstAccepted,
      callsAfterKill: results.length,
      failed: failed.length,
      maxSetupMsAfterKill: Math.max(...results.map((r) => r.setupMs)),
      setupMsBeforeDown: results.filter((r) => r.sentMs <= markedDownMs).map((r) => r.setupMs),
    };
    process.stdout.write(`kamailio-nodes: ${JSON.stringify(figures)}\n`);
  });
});
