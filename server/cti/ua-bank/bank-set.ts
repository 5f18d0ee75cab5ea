import type { Logger } from '../../log';
import { TypedEmitter } from '../../shared/typed-emitter';
import type { ThenAction } from '../../shared/sip-announce';
import type { BankEvents, BankPort, DialHandle, DialRequest, RecordAnswer } from '../ports/bank-port';
import type { ControlResult, LegControlPort, MixRoleRequest } from '../ports/leg-control-port';
import { DeviceReach } from './device-reach';
import { UaBank, type UaBankOptions } from './ua-bank';

/**
 * The bank when the CTI serves several ACD nodes (behind Kamailio, docs/deploy.md "Several ACD
 * nodes"): one UaBank per node, each registering the route point with its node. A leg belongs to
 * the node that offered it, so everything about a leg — dialling a device to bridge to it, its
 * release, announcements, recording, in-call controls — goes to that node's bank; a dial that
 * names no leg (a number check) goes to a registered node in turn. Legs ids are the ACD's random
 * 64-bit `leg-…` (server/acd/calls/call-context.ts), so two nodes' ids do not collide in the
 * CTI's call book.
 *
 * Why a composite and not more UAs in one bank: each node is a separate SIP server with its own
 * registrar and legs; keeping UaBank one-node leaves its contract (and its tests) unchanged.
 *
 * Node loss: when every UA of a node has lost its registration for `nodeLostMs`, the node's legs
 * are reported ended (`legEnded`, cause `transport-lost`) so their calls close and their
 * operators are freed: a killed ACD took its callers with it. A node back within that time
 * re-offers its legs (X-PB-Recovered) and nothing is lost.
 *
 * Startup: the first `registered` is held back until every node has registered once (or
 * `allNodesWaitMs` passed), so the CTI's restart recovery does not close stored calls of a node
 * whose bank has not registered yet.
 */
export interface BankSetOptions extends Omit<UaBankOptions, 'wsUrl'> {
  wsUrls: string[];
  /** ms a node may be unregistered before its legs are given up; default 30 s (the ACD's own wait for a bank) */
  nodeLostMs?: number;
  /** ms the first `registered` waits for the other nodes at start; default 10 s */
  allNodesWaitMs?: number;
  /**
   * ms a caller leg's node is remembered after the leg ended: a queued callback dials the number
   * later with X-PB-Callback-For naming that leg, and only its node's callback ledger knows it.
   * Default 2 h (the ACD's CALLBACK_WINDOW_SEC default).
   */
  callbackWindowMs?: number;
}

interface Node {
  url: string;
  bank: UaBank;
  lostTimer: NodeJS.Timeout | null;
  everRegistered: boolean;
}

export class BankSet implements BankPort {
  private readonly nodes: Node[];
  private readonly emitter: TypedEmitter<BankEvents>;
  private readonly log: Logger;
  private next = 0;
  private firstRegisteredSent = false;
  private heldFirst: { ua: string } | null = null;
  private waitTimer: NodeJS.Timeout | null = null;
  /** caller leg → the node that offered it, in offer order (pruned from the oldest) */
  private readonly origin = new Map<string, { node: Node; at: number }>();
  readonly controls: LegControlPort;
  /** which node can ring which device, from each node's reach notices */
  private readonly reach = new DeviceReach();

  constructor(private readonly opts: BankSetOptions) {
    this.log = opts.logger.child({ part: 'cti', module: 'bank-set' });
    this.emitter = new TypedEmitter<BankEvents>((err, event) => this.log.error({ err, event }, 'bank-set listener threw'));
    this.nodes = opts.wsUrls.map((url) => ({ url, bank: new UaBank({ ...opts, wsUrl: url, logger: opts.logger.child({ acdNode: url }) }), lostTimer: null, everRegistered: false }));
    for (const node of this.nodes) this.wire(node);
    this.controls = new NodeControls((legId) => this.ownerOf(legId)?.bank.controls ?? null);
  }

  on<K extends keyof BankEvents>(event: K, listener: (payload: BankEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  off<K extends keyof BankEvents>(event: K, listener: (payload: BankEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }

  /** Every node's UAs in turn (node order, then bank order), control dialogs and dials summed: /metrics and readiness. */
  figures(): ReturnType<UaBank['figures']> {
    const all = this.nodes.map((n) => n.bank.figures());
    const failures = all[0]!.dialFailures.map((_, i) => all.reduce((s, f) => s + (f.dialFailures[i] ?? 0), 0));
    return { registered: all.flatMap((f) => f.registered), controlLegs: all.reduce((s, f) => s + f.controlLegs, 0), dials: all.reduce((s, f) => s + f.dials, 0), dialFailures: failures };
  }

  /** Which nodes are registered (by URL), for diagnostics and tests. */
  nodesReady(): Array<{ url: string; ready: boolean; legs: number }> {
    return this.nodes.map((n) => ({ url: n.url, ready: n.bank.isReady(), legs: n.bank.heldLegs().length }));
  }

  /** Each node's registered UAs of its bank, in ACD_SIP_WS_URL order (the readiness check names nodes by it). */
  nodeRegistrations(): Array<{ registered: number; size: number }> {
    return this.nodes.map((n) => {
      const r = n.bank.figures().registered;
      return { registered: r.filter(Boolean).length, size: r.length };
    });
  }

  /** True while at least one node's bank is registered: calls arriving at that node can be served. */
  isReady(): boolean {
    return this.nodes.some((n) => n.bank.isReady());
  }

  /** Starts every node's bank; resolves once every node registered or failed to within timeoutMs; rejects only when none did. */
  async start(timeoutMs = 10_000): Promise<void> {
    this.waitTimer = setTimeout(() => this.releaseFirst(), this.opts.allNodesWaitMs ?? timeoutMs);
    const results = await Promise.allSettled(this.nodes.map((n) => n.bank.start(timeoutMs)));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.log.error({ acdNode: this.nodes[i]!.url, err: r.reason as unknown }, 'bank did not register with this ACD node yet; it keeps trying');
    });
    if (results.every((r) => r.status === 'rejected')) throw new Error(`BankSet: no ACD node registered within ${timeoutMs} ms`);
  }

  async stop(): Promise<void> {
    if (this.waitTimer) clearTimeout(this.waitTimer);
    for (const n of this.nodes) if (n.lostTimer) clearTimeout(n.lostTimer);
    await Promise.all(this.nodes.map((n) => n.bank.stop()));
    this.emitter.clear();
  }

  dial(req: DialRequest): DialHandle {
    const leg = req.bridgeTo ?? req.join?.legId ?? null;
    // a dial for a leg goes to its node (only that node can bridge it); a callback to the node the
    // caller called (its ledger); a dial for no leg to a registered node in turn
    const node = leg ? this.ownerOf(leg) : req.callbackFor ? this.originOf(req.callbackFor) : this.pickReady(req.deviceUri);
    if (!node) {
      // not held anywhere (ended meanwhile): the first bank settles it as UaBank does (503/400), never throws
      return (this.pickReady() ?? this.nodes[0]!).bank.dial(req);
    }
    return node.bank.dial(req);
  }

  release(legId: string): boolean {
    return this.ownerOf(legId)?.bank.release(legId) ?? false;
  }

  announce(legId: string, clips: string[], then: ThenAction = 'release'): Promise<number> {
    const node = this.ownerOf(legId);
    return node ? node.bank.announce(legId, clips, then) : Promise.resolve(481);
  }

  record(legId: string, on: boolean, notice?: string): Promise<RecordAnswer> {
    const node = this.ownerOf(legId);
    return node ? node.bank.record(legId, on, notice) : Promise.resolve({ ok: false, status: 481, reason: 'no control dialog for this leg' });
  }

  handoff(legId: string, node: string): Promise<number> {
    const owner = this.ownerOf(legId);
    return owner ? owner.bank.handoff(legId, node) : Promise.resolve(481);
  }

  heldLegs(): string[] {
    return this.nodes.flatMap((n) => n.bank.heldLegs());
  }

  /**
   * Whether the node of `legId` can ring the device: a granted device (`sip:dev-…@`) only where it
   * registered (the node said so, reach-notices.ts); a mobile or any other number from every node
   * (each dials out through its trunks). A leg no node holds or remembers: true (the dial answers).
   */
  reaches(deviceUri: string, legId: string): boolean {
    const aor = deviceAorOf(deviceUri);
    if (!aor) return true;
    const node = this.originOf(legId);
    return node ? this.reach.reaches(node.url, aor) : true;
  }

  /** The nodes (by URL) that said they hold a registration of this device. */
  nodesReaching(deviceUri: string): string[] {
    const aor = deviceAorOf(deviceUri);
    return aor ? this.reach.nodesOf(aor) : this.nodes.map((n) => n.url);
  }

  /** The node that offered a leg: the one holding it, or the one that offered it (while remembered). */
  nodeOf(legId: string): string | null {
    return this.originOf(legId)?.url ?? null;
  }

  private originOf(legId: string): Node | null {
    return this.ownerOf(legId) ?? this.origin.get(legId)?.node ?? null;
  }

  private ownerOf(legId: string): Node | null {
    return this.nodes.find((n) => n.bank.holds(legId)) ?? null;
  }

  private remember(legId: string, node: Node): void {
    const now = Date.now();
    const keep = this.opts.callbackWindowMs ?? 2 * 3600_000;
    for (const [id, o] of this.origin) {
      if (now - o.at <= keep) break;
      this.origin.delete(id);
    }
    this.origin.set(legId, { node, at: now });
  }

  /** A registered node in turn; for a granted device, one where it registered when there is one (an operator's own dial). */
  private pickReady(deviceUri?: string): Node | null {
    const ready = this.nodes.filter((n) => n.bank.isReady());
    const aor = deviceUri ? deviceAorOf(deviceUri) : null;
    const reaching = aor ? ready.filter((n) => this.reach.reaches(n.url, aor)) : [];
    const from = reaching.length ? reaching : ready;
    return from.length ? from[this.next++ % from.length]! : null;
  }

  private wire(node: Node): void {
    const { bank } = node;
    bank.on('legOffered', (e) => {
      this.remember(e.legId, node);
      this.emitter.emit('legOffered', e);
    });
    bank.on('legRecovered', (e) => {
      if (e.kind === 'caller') this.remember(e.legId, node);
      this.emitter.emit('legRecovered', e);
    });
    bank.on('legEnded', (e) => this.emitter.emit('legEnded', e));
    bank.on('dtmf', (e) => this.emitter.emit('dtmf', e));
    bank.on('quality', (e) => this.emitter.emit('quality', e));
    bank.on('devices', (e) => {
      this.emitter.emit('devices', e);
      if (!this.reach.apply(node.url, e)) return;
      this.log.info({ acdNode: node.url, version: e.version, state: e.state, devices: e.devices.length }, 'device reach changed');
      this.emitter.emit('reachChanged');
    });
    bank.on('registered', (e) => {
      if (node.lostTimer) {
        clearTimeout(node.lostTimer);
        node.lostTimer = null;
        this.log.info({ acdNode: node.url }, 'ACD node registered again in time: its legs are kept');
      }
      node.everRegistered = true;
      const payload = { ua: `${node.url} ${e.ua}` };
      if (this.firstRegisteredSent) this.emitter.emit('registered', payload);
      else {
        this.heldFirst ??= payload;
        if (this.nodes.every((n) => n.everRegistered)) this.releaseFirst();
      }
    });
    bank.on('registrationLost', (e) => {
      this.emitter.emit('registrationLost', { ua: `${node.url} ${e.ua}`, reason: e.reason });
      if (bank.isReady() || node.lostTimer) return;
      const ms = this.opts.nodeLostMs ?? 30_000;
      this.log.error({ acdNode: node.url, legs: bank.heldLegs().length, giveUpInMs: ms }, 'ACD node unreachable: no bank UA registered with it');
      node.lostTimer = setTimeout(() => this.giveUp(node), ms);
    });
  }

  private releaseFirst(): void {
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimer = null;
    if (this.firstRegisteredSent) return;
    this.firstRegisteredSent = true;
    const missing = this.nodes.filter((n) => !n.everRegistered).map((n) => n.url);
    if (missing.length) this.log.warn({ missing }, 'starting without every ACD node registered');
    if (this.heldFirst) this.emitter.emit('registered', this.heldFirst);
  }

  /** The node stayed away: its legs are gone for the CTI (their calls end, their operators are freed). */
  private giveUp(node: Node): void {
    node.lostTimer = null;
    if (node.bank.isReady()) return;
    const legs = node.bank.heldLegs();
    this.log.error({ acdNode: node.url, legs: legs.length }, 'ACD node lost: its legs are reported ended');
    for (const legId of legs) {
      node.bank.release(legId);
      this.emitter.emit('legEnded', { legId, cause: 'transport-lost' });
    }
    // its registrar is gone too (or unreachable): its devices are learnt again when it registers
    if (this.reach.forget(node.url)) this.emitter.emit('reachChanged');
  }
}

/** The AOR user of a device the CTI granted (`sip:dev-…@domain`), or null for a number. */
function deviceAorOf(uri: string): string | null {
  const m = /^sips?:(dev-[^@;>]+)@/i.exec(uri);
  return m ? m[1]! : null;
}

/** In-call controls sent on the control dialog of the node that holds the leg. */
class NodeControls implements LegControlPort {
  constructor(private readonly of: (legId: string) => LegControlPort | null) {}

  private to(legId: string, f: (c: LegControlPort) => Promise<ControlResult>): Promise<ControlResult> {
    const c = this.of(legId);
    return c ? f(c) : Promise.resolve({ ok: false, status: 0, reason: 'no control dialog for this leg' });
  }

  hold(legId: string): Promise<ControlResult> {
    return this.to(legId, (c) => c.hold(legId));
  }
  resume(legId: string): Promise<ControlResult> {
    return this.to(legId, (c) => c.resume(legId));
  }
  mute(legId: string, muted: boolean): Promise<ControlResult> {
    return this.to(legId, (c) => c.mute(legId, muted));
  }
  sendDtmf(legId: string, digits: string, durationMs?: number): Promise<ControlResult> {
    return this.to(legId, (c) => c.sendDtmf(legId, digits, durationMs));
  }
  // both legs are on the same node (a caller and the device it dialled); the leg's node decides
  bridge(legId: string, toLegId: string): Promise<ControlResult> {
    return this.to(legId, (c) => c.bridge(legId, toLegId));
  }
  join(legId: string, withLegId: string, role: MixRoleRequest): Promise<ControlResult> {
    return this.to(legId, (c) => c.join(legId, withLegId, role));
  }
  setMixMode(legId: string, role: MixRoleRequest): Promise<ControlResult> {
    return this.to(legId, (c) => c.setMixMode(legId, role));
  }
  leave(legId: string): Promise<ControlResult> {
    return this.to(legId, (c) => c.leave(legId));
  }
}
