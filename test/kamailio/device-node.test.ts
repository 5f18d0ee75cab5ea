import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView, SipPhoneGrant } from '../../server/contracts/socket-events';
import type { HealthInfo } from '../../server/contracts/web-api';
import { UdpRtpPeer } from '../../server/acd/media/test-udp-peer';
import { SipWsClient } from '../../server/acd/test-support/sip-ws-client';
import type { SipRequest } from '../../server/acd/sip/message';
import { DEMO } from '../../server/db/seed';
import { requireTool } from '../../server/test-support/system-tools';
import { until, untilAsync } from '../../server/test-support/until';
import { within } from '../roles/role-process';
import { ask, logLines, NodeSite, ProxiedCaller, routePointUp, signIn } from './node-harness';

/**
 * Offers only where the device is reachable (docs/cti.md, "Several ACD nodes"), all real: two ACD
 * processes behind Kamailio (deploy/kamailio/kamailio.cfg), one CTI process, PostgreSQL. Two
 * operators on UDP SIP phones, each registered with ONE node (the way a one-account desk phone or
 * a browser is): callers arrive through Kamailio on both nodes, and each is bridged only by its own
 * node to the operator registered there; with that operator away it waits rather than being offered
 * to the one its node cannot ring. No dial answered 404, nobody went Not ready. Then a phone moves
 * to the other node (un-REGISTER, REGISTER there) and the waiting caller there is offered to it at
 * once. Callers over TCP through the front (the node's BYE back over TCP); a phone registering
 * through the front (Path, RFC 3327) rung through it by the one node that holds it, and only for
 * that node's callers. Last, the readiness of the CTI with one node killed (ready, degraded,
 * naming it) and both.
 */
const SECRET = 'device-node-secret-'.padEnd(44, 'd');
const LO = '127.0.0.1';

let site: NodeSite;
let rtp: UdpRtpPeer;

beforeAll(async () => {
  requireTool('kamailio');
  site = await NodeSite.start({ name: 'devnode', secret: SECRET, pingSec: 1, frMs: 1500, nodeLostSec: 3, rtpBase: 47_000 });
  rtp = await UdpRtpPeer.open();
  site.closers.push(() => rtp.close());
}, 300_000);

afterAll(() => site?.stop(), 60_000);

const arrivals = (i: number) => logLines(site.acds[i]!, 'caller arrived').length;

/** A SIP phone (UDP) with one account, registered with one node only. */
class OneNodePhone {
  /** every socket it has had (one per node it registered with, in turn) */
  private readonly lines: SipWsClient[] = [];

  private constructor(
    public sip: SipWsClient,
    public node: number,
    private readonly grant: SipPhoneGrant,
  ) {
    this.lines.push(sip);
  }

  static async at(node: number, grant: SipPhoneGrant, name: string): Promise<OneNodePhone> {
    const phone = new OneNodePhone(await OneNodePhone.line(node, name), node, grant);
    await phone.register(600);
    return phone;
  }

  private static async line(node: number, name: string): Promise<SipWsClient> {
    const sip = await SipWsClient.udp(LO, site.ports.nodes[node]!.udp, `${name}-node${node}`);
    site.closers.push(() => sip.close());
    return sip;
  }

  async register(expires: number): Promise<void> {
    const r = await this.sip.register(this.grant.sipUser, this.grant.domain, this.grant.sipUser, this.grant.sipPassword, expires);
    if (r.status !== 200) throw new Error(`REGISTER (expires ${expires}) at node ${this.node} answered ${r.status}`);
  }

  /** Leaves its node (Expires: 0) and registers with the other one from a new socket. */
  async moveTo(node: number, name: string): Promise<void> {
    await this.register(0);
    this.sip = await OneNodePhone.line(node, name);
    this.lines.push(this.sip);
    this.node = node;
    await this.register(600);
  }

  async answerNext(timeoutMs: number) {
    const inv = await this.sip.request('INVITE', () => true, timeoutMs);
    rtp.aimAt(inv.body);
    const dialog = this.sip.answer(inv, 200, { body: rtp.sdp({ pts: '0 101' }) });
    await this.sip.request('ACK', (r) => r.headers.get('Call-ID') === dialog.callId);
    return { inv, dialog };
  }

  async released(timeoutMs: number): Promise<void> {
    this.sip.respond(await this.sip.request('BYE', () => true, timeoutMs), 200);
  }

  /** How many calls rang it, on any of its sockets (distinct INVITE Call-IDs: UDP retransmissions count once). */
  rung(): number {
    const ids = new Set<string>();
    for (const l of this.lines) for (const m of l.received) if (m.kind === 'request' && (m as SipRequest).method === 'INVITE') ids.add(m.headers.get('Call-ID') ?? '');
    return ids.size;
  }
}

async function operator(userId: string, node: number) {
  const { socket, states } = await signIn(site.db, site.ports.cti, userId, site.closers);
  const grant = await ask<SipPhoneGrant>(socket, 'agent:device', { kind: 'sip_phone' });
  if (!grant.ok) throw new Error(`device refused: ${JSON.stringify(grant)}`);
  const phone = await OneNodePhone.at(node, grant.data, `op-${userId.slice(-4)}`);
  return { socket, states, phone, grant: grant.data };
}

/** The node (0 or 1) whose log gains the next 'caller arrived' (one caller at a time). */
async function arrivedAt(before: [number, number]): Promise<number> {
  await until(() => arrivals(0) + arrivals(1) > before[0] + before[1], 5000, 'the caller logged by a node');
  return arrivals(0) > before[0] ? 0 : 1;
}

async function readiness(): Promise<{ status: number; info: HealthInfo }> {
  const res = await fetch(`http://${LO}:${site.ports.cti}/api/health/ready`);
  const body = (await res.json()) as { data: HealthInfo };
  return { status: res.status, info: body.data };
}

describe('devices registered with one ACD node', () => {
  it('offers each caller only to operators its node can ring: no 404, nobody Not ready, a device that moves is followed', { timeout: 240_000 }, async () => {
    const { cti, ports } = site;
    for (const n of ports.nodes) await until(() => logLines(cti, 'bank UA registered the route point').some((l) => l.acdNode === `ws://${LO}:${n.ws}`), 20_000, `bank registered with ${n.ws}`);
    for (const n of ports.nodes) await until(() => routePointUp(site.kam, n.udp), 10_000, `route point probed up at ${n.udp}`);
    const ops = [await operator(DEMO.users[1].id, 0), await operator(DEMO.users[2].id, 1)];
    // the CTI hears from each node of the phone registered there (reach-notices.ts → bank-set.ts)
    await until(() => logLines(cti, 'device reach changed').length >= 2, 10_000, 'both nodes told their bank');
    for (const op of ops) expect(await ask<AgentView>(op.socket, 'agent:ready', {})).toMatchObject({ ok: true });
    const fromReady = ops.map((op) => op.states.length);
    const notReadySinceReady = () => ops.flatMap((op, i) => op.states.slice(fromReady[i]).filter((s) => s.state === 'not_ready' || s.state === 'offline'));

    // 1. both operators Ready, each on their own node: 8 callers one at a time through the front,
    //    each bridged to the operator on the node it arrived at
    const bridged: Array<{ arrived: number; answerMs: number }> = [];
    for (let n = 0; n < 8; n++) {
      const caller = await ProxiedCaller.open(ports.kam, n, site.closers);
      const before: [number, number] = [arrivals(0), arrivals(1)];
      const t0 = Date.now();
      const c = await caller.call(rtp.sdp({ pts: '0 101' }), 10_000);
      expect(c.ok.status).toBe(200);
      const node = await arrivedAt(before);
      // the phone registered with the caller's node rings (its only account is there); the other does not
      const op = ops[node]!;
      await op.phone.answerNext(15_000);
      bridged.push({ arrived: node, answerMs: Date.now() - t0 });
      await until(() => op.states.at(-1)?.state === 'talking', 10_000, 'talking');
      expect(await caller.hangUp(c)).toBe(200);
      await op.phone.released(10_000);
      await until(() => op.states.at(-1)?.state === 'ready', 10_000, 'ready again (no wrap-up)');
    }
    expect(new Set(bridged.map((b) => b.arrived)).size, JSON.stringify(bridged)).toBe(2);
    // every call rang exactly one phone: the one on its node
    expect(ops.map((op) => op.phone.rung())).toEqual([0, 1].map((i) => bridged.filter((b) => b.arrived === i).length));

    // 2. the operator on node 1 goes Not ready: callers on node 1 wait (nobody their node can ring),
    //    callers on node 0 still reach the operator there
    expect(await ask<AgentView>(ops[1]!.socket, 'agent:not-ready', {})).toMatchObject({ ok: true });
    fromReady[1] = Number.MAX_SAFE_INTEGER;
    const waiting: Array<{ caller: ProxiedCaller; c: Awaited<ReturnType<ProxiedCaller['call']>> }> = [];
    let servedOn0 = 0;
    for (let n = 0; n < 4 && waiting.length === 0; n++) {
      const caller = await ProxiedCaller.open(ports.kam, 20 + n, site.closers);
      const before: [number, number] = [arrivals(0), arrivals(1)];
      const c = await caller.call(rtp.sdp({ pts: '0 101' }), 10_000);
      expect(c.ok.status).toBe(200);
      const node = await arrivedAt(before);
      if (node === 1) {
        waiting.push({ caller, c });
        continue;
      }
      await ops[0]!.phone.answerNext(15_000);
      await until(() => ops[0]!.states.at(-1)?.state === 'talking', 10_000, 'talking');
      expect(await caller.hangUp(c)).toBe(200);
      await ops[0]!.phone.released(10_000);
      await until(() => ops[0]!.states.at(-1)?.state === 'ready', 10_000, 'ready again');
      servedOn0++;
    }
    expect(waiting, 'a caller arrived on node 1').toHaveLength(1);
    // operator 0 is Ready and idle, the node-1 caller waits: it is not offered to a phone node 1 cannot ring
    const rungBefore = ops[0]!.phone.rung();
    await new Promise((r) => setTimeout(r, 2000));
    expect(ops[0]!.states.at(-1)?.state).toBe('ready');
    expect(ops[0]!.phone.rung()).toBe(rungBefore);

    // 3. operator 0's phone moves to node 1 (un-REGISTER at node 0, REGISTER at node 1): the waiting
    //    caller there is offered to it as soon as node 1 tells the bank
    const movedAt = Date.now();
    await ops[0]!.phone.moveTo(1, 'op0-moved');
    const registeredMs = Date.now() - movedAt;
    await within(ops[0]!.phone.answerNext(20_000), 20_000, () => 'the waiting caller on node 1 was not offered to the phone that moved there');
    const movedOfferMs = Date.now() - movedAt;
    await until(() => ops[0]!.states.at(-1)?.state === 'talking', 10_000, 'talking after the move');
    expect(await waiting[0]!.caller.hangUp(waiting[0]!.c)).toBe(200);
    await ops[0]!.phone.released(10_000);
    await until(() => ops[0]!.states.at(-1)?.state === 'ready', 10_000, 'ready after the moved call');

    // and a caller on node 0 now waits (the phone left it), one on node 1 reaches it
    let node0Waits = false;
    for (let n = 0; n < 4 && !node0Waits; n++) {
      const caller = await ProxiedCaller.open(ports.kam, 40 + n, site.closers);
      const before: [number, number] = [arrivals(0), arrivals(1)];
      const rungBefore = ops[0]!.phone.rung();
      const c = await caller.call(rtp.sdp({ pts: '0 101' }), 10_000);
      expect(c.ok.status).toBe(200);
      const node = await arrivedAt(before);
      if (node === 0) {
        await new Promise((r) => setTimeout(r, 2000));
        expect(ops[0]!.phone.rung(), 'a node-0 caller rang the phone that left node 0').toBe(rungBefore);
        expect(ops[0]!.states.at(-1)?.state).toBe('ready');
        node0Waits = true;
        expect(await caller.hangUp(c)).toBe(200);
        continue;
      }
      await ops[0]!.phone.answerNext(15_000);
      await until(() => ops[0]!.states.at(-1)?.state === 'talking', 10_000, 'talking');
      expect(await caller.hangUp(c)).toBe(200);
      await ops[0]!.phone.released(10_000);
      await until(() => ops[0]!.states.at(-1)?.state === 'ready', 10_000, 'ready');
    }
    expect(node0Waits).toBe(true);

    // callers over TCP through the front (KAM_LISTEN_TCP): a node-1 caller bridged to the phone there;
    // the phone hangs up first, and the node's BYE reaches the caller over its TCP connection
    // (Kamailio's doubled Record-Route: UDP towards the node, TCP towards the caller)
    let overTcp: { node: number; byeVia: string } | null = null;
    for (let n = 0; n < 4 && !overTcp; n++) {
      const caller = await ProxiedCaller.open(ports.kamTcp, 60 + n, site.closers, 'tcp');
      const before: [number, number] = [arrivals(0), arrivals(1)];
      const c = await caller.call(rtp.sdp({ pts: '0 101' }), 10_000);
      expect(c.ok.status).toBe(200);
      const node = await arrivedAt(before);
      if (node === 0) {
        expect(await caller.hangUp(c)).toBe(200);
        continue;
      }
      const { dialog } = await ops[0]!.phone.answerNext(15_000);
      await until(() => ops[0]!.states.at(-1)?.state === 'talking', 10_000, 'talking over TCP');
      const line = ops[0]!.phone.sip;
      line.send(line.inDialog('BYE', dialog));
      expect((await line.response(dialog.callId, 'BYE')).status).toBe(200);
      const bye = await caller.sip.request('BYE', (r) => r.headers.get('Call-ID') === c.dialog.callId, 10_000);
      caller.sip.respond(bye, 200);
      overTcp = { node, byeVia: bye.headers.getAll('Via').join(',') };
      await until(() => ops[0]!.states.at(-1)?.state === 'ready', 10_000, 'ready after the TCP call');
    }
    expect(overTcp, 'a TCP caller on node 1').not.toBeNull();
    expect(overTcp!.byeVia, 'the node’s BYE came through the front over TCP').toMatch(new RegExp(`SIP/2.0/TCP 127\\.0\\.0\\.1:${ports.kamTcp}`));

    // a desk phone registering THROUGH the front (Path, RFC 3327): one node holds it (hash of its
    // AOR), rings it through the front, and only that node's callers are offered to it
    expect(await ask<AgentView>(ops[0]!.socket, 'agent:not-ready', {})).toMatchObject({ ok: true });
    fromReady[0] = Number.MAX_SAFE_INTEGER;
    const g1 = ops[1]!.grant;
    await ops[1]!.phone.register(0);
    const front = await SipWsClient.udp(LO, ports.kam, 'op1-front');
    site.closers.push(() => front.close());
    // REGISTERs that left a binding (the un-REGISTER at node 1 logs bindings 0, and may reach the log late)
    const regs = (i: number) => logLines(site.acds[i]!, 'registration updated').filter((l) => l.user === g1.sipUser && Number(l.bindings) > 0).length;
    const regsBefore = [regs(0), regs(1)];
    expect((await front.register(g1.sipUser, g1.domain, g1.sipUser, g1.sipPassword, 600)).status).toBe(200);
    await until(() => regs(0) + regs(1) > regsBefore[0]! + regsBefore[1]!, 5000, 'the REGISTER through the front logged');
    const pathNode = regs(0) > regsBefore[0]! ? 0 : 1;
    fromReady[1] = ops[1]!.states.length;
    expect(await ask<AgentView>(ops[1]!.socket, 'agent:ready', {})).toMatchObject({ ok: true });
    const frontRung = () => new Set(front.received.filter((m) => m.kind === 'request' && (m as SipRequest).method === 'INVITE').map((m) => m.headers.get('Call-ID'))).size;
    let throughPath: { node: number; topVia: string } | null = null;
    for (let n = 0; n < 4 && !throughPath; n++) {
      const caller = await ProxiedCaller.open(ports.kam, 80 + n, site.closers);
      const before: [number, number] = [arrivals(0), arrivals(1)];
      const rungBefore = frontRung();
      const c = await caller.call(rtp.sdp({ pts: '0 101' }), 10_000);
      expect(c.ok.status).toBe(200);
      const node = await arrivedAt(before);
      if (node !== pathNode) {
        await new Promise((r) => setTimeout(r, 1500));
        expect(frontRung(), 'a caller on the other node rang the phone behind the front').toBe(rungBefore);
        expect(await caller.hangUp(c)).toBe(200);
        continue;
      }
      const inv = await front.request('INVITE', () => true, 15_000);
      rtp.aimAt(inv.body);
      // a UAS copies the Record-Route into its answer (RFC 3261 §12.1.1): the node's ACK and BYE pass the front
      const dialog = front.answer(inv, 200, { headers: inv.headers.getAll('Record-Route').map((rr): [string, string] => ['Record-Route', rr]), body: rtp.sdp({ pts: '0 101' }) });
      await front.request('ACK', (r) => r.headers.get('Call-ID') === dialog.callId, 10_000);
      await until(() => ops[1]!.states.at(-1)?.state === 'talking', 10_000, 'talking through the front');
      // the phone hangs up along the route set (the INVITE's Record-Route): through the front to its node
      const bye = front.inDialog('BYE', dialog);
      for (const rr of inv.headers.getAll('Record-Route')) bye.headers.append('Route', rr);
      front.send(bye);
      expect((await front.response(dialog.callId, 'BYE', true, 10_000)).status).toBe(200);
      const callerBye = await caller.sip.request('BYE', (r) => r.headers.get('Call-ID') === c.dialog.callId, 10_000);
      caller.sip.respond(callerBye, 200);
      throughPath = { node, topVia: inv.headers.getAll('Via')[0] ?? '' };
      await until(() => ops[1]!.states.at(-1)?.state === 'ready', 10_000, 'ready after the call through the front');
    }
    expect(throughPath, 'a caller on the node holding the phone behind the front').not.toBeNull();
    expect(throughPath!.topVia, 'the node rang the phone through the front').toContain(`127.0.0.1:${ports.kam}`);

    // never a dial answered 404/480, never Not ready (device)
    const failedDials = logLines(cti, 'dial failed');
    expect(failedDials.filter((l) => l.status === 404 || l.status === 480)).toEqual([]);
    expect(notReadySinceReady()).toEqual([]);

    // 4. readiness: node 1 killed → ready, degraded, naming node 2 of 2; both killed → not ready
    expect((await readiness()).info.checks.find((c) => c.name === 'cti_bank')).toEqual({ name: 'cti_bank', ok: true });
    site.acds[1]!.kill();
    await site.acds[1]!.exit();
    await untilAsync(async () => (await readiness()).info.checks.some((c) => c.name === 'cti_bank' && c.detail), 15_000, 'cti_bank degraded');
    const one = await readiness();
    expect(one.status).toBe(200);
    expect(one.info.checks.find((c) => c.name === 'cti_bank')).toMatchObject({ ok: true, detail: expect.stringMatching(/^ACD node 2 of 2 is down/) });
    site.acds[0]!.kill();
    await site.acds[0]!.exit();
    await untilAsync(async () => (await readiness()).status === 503, 15_000, 'not ready with no node');
    const none = await readiness();
    expect(none.info.checks.find((c) => c.name === 'cti_bank')).toMatchObject({ ok: false, reason: expect.stringMatching(/^no ACD node has a registered bank/) });

    const figures = { bridged, servedOn0, registeredMs, movedOfferMs, overTcp, throughPath, failedDials: failedDials.length, cti_bank: { one: one.info.checks.find((c) => c.name === 'cti_bank'), none: none.info.checks.find((c) => c.name === 'cti_bank') } };
    process.stdout.write(`device-node: ${JSON.stringify(figures)}\n`);
  });
});
