import type { Logger } from '../log';
import type { AgentRoster } from './agent-roster';
import type { CallBook, LiveCall } from './call-book';
import type { Journal } from './call-journal';
import type { CallLifecycle } from './call-lifecycle';
import type { WaitingCall } from './domain/dispatch';
import { remoteDispatch, type RemoteOperator } from './domain/remote-dispatch';
import { newLiveCall } from './live-call';
import type { BankPort, LegRecovered } from './ports/bank-port';
import type { CallRow } from './ports/cti-store';
import type { ReservationStore } from './ports/reservation-store';
import { SNAPSHOT_STALE_MS, WAITING_PUBLISHED, type HandoffRecord, type NodeSnapshot, type ReadyOperator, type RoutingExchange, type WaitingCaller } from './ports/routing-exchange';
import type { RemoteWaiting } from './call-router';
import type { RoutingConfig } from './routing-config';
import type { ViewPublisher } from './views';
import type { WaitAnnouncer } from './wait-announcer';

/** How long an operator this node asked for is left out of its cross-node picks (their node says soon whether they are free). */
const ASKED_MS = 2_000;
/** A caller elsewhere who keeps winning an operator here this long without being handed over is not waited for any more (its node cannot move it). */
const REMOTE_WIN_MS = 3_000;
/** A call whose handoff failed is not published as waiting for this long (the others would keep an operator for it in vain). */
const UNMOVABLE_MS = 5_000;
/**
 * The taking node's timeline goes on this far past the record's seq: the handing node may still
 * write an event of the call while the handoff is out (a wait announcement), and two nodes must
 * never write one seq twice (a gap in seq is harmless: the timeline is read in seq order).
 */
const SEQ_GAP = 100;

export interface CrossNodeDeps {
  exchange: RoutingExchange;
  reservations: ReservationStore;
  bank: BankPort;
  /** the bank's handoff of a parked caller to another node (BankPort.handoff) */
  handoff(legId: string, node: string): Promise<number>;
  book: CallBook;
  roster: AgentRoster;
  routing: Pick<RoutingConfig, 'queue' | 'queueForNumber'>;
  journal: Journal;
  views: ViewPublisher;
  calls: Pick<CallLifecycle, 'requeue' | 'legOffered'>;
  router: { routeWaiting(): void };
  announcer?: Pick<WaitAnnouncer, 'ended'>;
  now: () => number;
  stopped: () => boolean;
  log: Logger;
}

interface Waiting extends WaitingCall {
  live: LiveCall;
}

/**
 * Routing across CTI nodes (docs/cti.md, *Routing across nodes*). Each node publishes its Ready
 * operators; a node whose routing pass leaves callers waiting looks at the other nodes' Ready
 * operators (in memory: the snapshots arrive by pub/sub, so no round trip to decide), reserves the
 * one its queue's strategy picks in the shared reservation store (atomic: never two calls for one
 * operator), stores the call's record, and hands the caller's leg to that node through the ACD
 * (`bank.handoff`: the ACD re-offers the parked leg to that node's bank with its arrival). The
 * operator's node takes the record (no database read), goes on with the same call — id, arrival,
 * place, timeline with a `moved` event — and offers it to its operator, whose hold it takes over.
 * The whole call then lives on the operator's node: no command is ever forwarded.
 */
export class CrossNodeRouting {
  private readonly remote = new Map<string, NodeSnapshot>();
  /** operators this node asked for lately (reserved for a handoff, or refused) */
  private readonly asked = new Map<string, number>();
  /** legs handed to this node whose record is being read (a BYE meanwhile means the caller left) */
  private readonly adopting = new Set<string>();
  private readonly gone = new Set<string>();
  private readonly offs: Array<() => void> = [];
  /** callers elsewhere winning an operator here, since when (continuously) */
  private readonly wonSince = new Map<string, number>();
  /** calls of this node whose handoff failed lately: not published as waiting until then */
  private readonly unmovable = new Map<string, number>();
  private published = '';
  private publishQueued = false;
  /** calls this node moved away and received (the report's figures) */
  readonly moved = { out: 0, in: 0, refused: 0 };

  constructor(private readonly d: CrossNodeDeps) {}

  start(): void {
    const { d } = this;
    this.offs.push(
      d.exchange.onSnapshot((s) => this.snapshot(s)),
      d.bank.on('legRecovered', (e) => {
        if (e.handoffFrom !== undefined) void this.adopt(e);
      }),
      d.bank.on('legEnded', (e) => {
        if (this.adopting.has(e.legId)) this.gone.add(e.legId);
      }),
    );
    this.changed();
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
  }

  /** Something changed here (an operator's state, a call): the Ready snapshot is sent again if it differs. */
  changed(): void {
    if (this.publishQueued || this.d.stopped()) return;
    this.publishQueued = true;
    queueMicrotask(() => {
      this.publishQueued = false;
      const ready: ReadyOperator[] = [];
      for (const a of this.d.roster.all()) if (a.state === 'ready' && this.d.roster.hasDevice(a)) ready.push({ operatorId: a.operatorId, idleSince: a.idleSince });
      const now = this.d.now();
      for (const [id, until] of this.unmovable) if (until <= now) this.unmovable.delete(id);
      const waiting: WaitingCaller[] = [];
      // book.waiting() is oldest first: the head of this node's part of the shared waiting list
      for (const c of this.d.book.waiting()) {
        if (waiting.length >= WAITING_PUBLISHED) break;
        if (c.status !== 'queued' || !c.queue || c.movingTo || c.callback || this.unmovable.has(c.id)) continue;
        waiting.push({ callId: c.id, queueId: c.queue.id, arrivedAt: c.arrivedAt, priority: c.priority ?? 0, first: c.first === true });
      }
      const text = `${ready.map((r) => `${r.operatorId}:${r.idleSince}`).join(',')}|${waiting.map((w) => w.callId).join(',')}`;
      if (text === this.published) return;
      this.published = text;
      this.d.exchange.publish(ready, waiting);
    });
  }

  /** The calls a local pass left waiting: any operator free on another node takes them. */
  leftWaiting(calls: LiveCall[]): void {
    if (this.d.stopped() || this.remote.size === 0) return;
    const now = this.d.now();
    const remote = this.remoteReady(now);
    if (remote.length === 0) return;
    for (const [id, until] of this.asked) if (until <= now) this.asked.delete(id);
    const waiting = calls.filter((c) => c.status === 'queued' && c.queue && !c.movingTo && !c.callback && !c.transferTo).map((c) => this.waitingOf(c));
    for (const o of remoteDispatch(waiting, remote, now, new Set(this.asked.keys()))) void this.moveOut(o.call.live, o.operatorId, o.node);
  }

  private snapshot(s: NodeSnapshot): void {
    const had = this.remote.get(s.node);
    this.remote.set(s.node, s);
    // someone became Ready elsewhere: asked-for operators may be tried again
    for (const r of s.ready) if (!had?.ready.some((h) => h.operatorId === r.operatorId)) this.asked.delete(r.operatorId);
    // callers waiting here may go to whoever is Ready there (kept Ready for them, when they are first in line)
    if (s.ready.length > 0) {
      const waiting = this.d.book.waiting();
      if (waiting.length > 0) this.leftWaiting(waiting);
    }
    // callers waiting there may be first in line for someone here
    if (s.waiting.length > 0) this.d.router.routeWaiting();
  }

  /** Callers waiting on other nodes, for this node's passes (the shared waiting list, in serving order). */
  remoteWaiting(now: number): RemoteWaiting[] {
    const out: RemoteWaiting[] = [];
    for (const [node, s] of this.remote) {
      if (now - s.at > SNAPSHOT_STALE_MS) continue;
      for (const w of s.waiting) {
        // a caller handed here already (that node's snapshot not yet renewed) is a local call now
        if (this.d.book.live(w.callId)) continue;
        const since = this.wonSince.get(w.callId);
        if (since !== undefined && now - since > REMOTE_WIN_MS) continue;
        const q = this.d.routing.queue(w.queueId);
        if (!q || node === this.d.exchange.nodeId) continue;
        out.push({ id: w.callId, arrivedAt: w.arrivedAt, priority: w.priority, queuePriority: q.priority, ageingSec: q.params.ageingSec, first: w.first, queue: q.routing, live: null });
      }
    }
    return out;
  }

  /** The callers elsewhere that won an operator here in this pass (their node will take the operator). */
  remoteWon(callIds: string[], now: number): void {
    const won = new Set(callIds);
    for (const id of this.wonSince.keys()) if (!won.has(id)) this.wonSince.delete(id);
    for (const id of callIds) if (!this.wonSince.has(id)) this.wonSince.set(id, now);
  }

  private remoteReady(now: number): RemoteOperator[] {
    const out: RemoteOperator[] = [];
    for (const [node, s] of this.remote) {
      if (now - s.at > SNAPSHOT_STALE_MS) {
        this.remote.delete(node);
        continue;
      }
      for (const r of s.ready) if (!this.d.roster.get(r.operatorId)) out.push({ ...r, node });
    }
    return out;
  }

  private waitingOf(c: LiveCall): Waiting {
    const q = c.queue!;
    return { id: c.id, arrivedAt: c.arrivedAt, priority: c.priority ?? 0, queuePriority: q.priority, ageingSec: q.params.ageingSec, first: c.first === true, queue: q.routing, live: c };
  }

  /** Hands one waiting call to the node where its operator is free: reserve, record, then the ACD's handoff. */
  private async moveOut(call: LiveCall, operatorId: string, node: string): Promise<void> {
    const { d } = this;
    this.asked.set(operatorId, d.now() + ASKED_MS);
    call.movingTo = node;
    const [got] = await d.reservations.reserve([{ operatorId, callId: call.id }]);
    if (!got || call.status !== 'queued' || d.stopped()) {
      if (got) void d.reservations.release(operatorId);
      if (!got) this.moved.refused++;
      return this.stayed(call);
    }
    const record = this.recordOf(call, operatorId, node);
    if (!(await d.exchange.putHandoff(call.legId, record)) || call.status !== 'queued') {
      void d.reservations.release(operatorId);
      void d.exchange.dropHandoff(call.legId);
      return this.stayed(call);
    }
    const status = await d.handoff(call.legId, node);
    if (status !== 200) {
      call.log.warn({ node, operatorId, status }, 'handoff to another CTI node refused; the caller waits here');
      this.unmovable.set(call.id, d.now() + UNMOVABLE_MS);
      void d.reservations.release(operatorId);
      void d.exchange.dropHandoff(call.legId);
      return this.stayed(call);
    }
    // the call lives on the other node now (its record, its hold): it leaves this book without ending
    this.moved.out++;
    if (call.maxWaitTimer) clearTimeout(call.maxWaitTimer);
    call.maxWaitTimer = null;
    d.book.handOver(call);
    d.announcer?.ended(call);
    this.changed();
    call.log.info({ node, operatorId }, 'caller handed to another CTI node, where their operator is free');
    // the other node takes this hold over at once; should it never (its record lost), the hold is let go here later
    setTimeout(() => void this.releaseIfStill(operatorId, call.id), ASKED_MS * 5).unref();
  }

  private async releaseIfStill(operatorId: string, callId: string): Promise<void> {
    const { reservations } = this.d;
    const h = await reservations.holder(operatorId).catch(() => null);
    if (h && h.nodeId === reservations.nodeId && h.callId === callId && !this.d.roster.get(operatorId)) await reservations.release(operatorId);
  }

  /** The move did not happen: the call is this node's to route again (it kept its place). */
  private stayed(call: LiveCall): void {
    call.movingTo = null;
    if (call.status === 'queued' && !this.d.stopped()) queueMicrotask(() => this.d.router.routeWaiting());
  }

  private recordOf(call: LiveCall, operatorId: string, node: string): HandoffRecord {
    const { row, seq } = call.journal.snapshot();
    return {
      callId: call.id,
      legId: call.legId,
      fromNode: this.d.exchange.nodeId,
      toNode: node,
      operatorId,
      dialed: call.dialed,
      callerName: call.callerName,
      callerUri: call.callerUri,
      queueId: call.queue?.id ?? null,
      priority: call.priority ?? 0,
      first: call.first === true,
      arrivedAt: call.arrivedAt,
      offeredAt: call.offeredAt ?? null,
      counted: call.counted === true,
      overflows: call.overflows,
      notes: call.notes,
      row,
      seq,
    };
  }

  /** A caller another node handed here: the same call goes on (its record from Redis, no database read). */
  private async adopt(e: LegRecovered): Promise<void> {
    const { d } = this;
    this.adopting.add(e.legId);
    const rec = await d.exchange.takeHandoff(e.legId);
    this.adopting.delete(e.legId);
    const left = this.gone.delete(e.legId);
    if (rec && (rec.legId !== e.legId || rec.toNode !== d.exchange.nodeId)) {
      d.log.error({ legId: e.legId, toNode: rec.toNode }, 'handoff record for another leg or node; taken as a new call');
    }
    const valid = rec && rec.legId === e.legId && rec.toNode === d.exchange.nodeId ? rec : null;
    if (valid) await this.holdFor(valid, !left && !d.stopped());
    if (left || d.stopped()) return;
    if (!valid || d.book.hasLeg(e.legId)) {
      // no record (lapsed, Redis away): the caller is still served, as a new call with their arrival
      if (!d.book.hasLeg(e.legId)) d.calls.legOffered({ legId: e.legId, dialed: e.dialed ?? '', audio: e.audio, callerName: e.callerName, callerUri: e.callerUri, controlSessionId: '', arrivedAt: e.since });
      return;
    }
    const log = d.log.child({ callId: valid.callId, legId: e.legId });
    const journal = valid.row ? d.journal.resume(valid.callId, log, valid.row as CallRow, valid.seq + SEQ_GAP) : d.journal.call(valid.callId, log);
    const call = newLiveCall({ id: valid.callId, legId: e.legId, dialed: valid.dialed, callerName: valid.callerName, callerUri: valid.callerUri, arrivedAt: valid.arrivedAt, log, journal });
    call.priority = valid.priority;
    if (valid.first) call.first = true;
    if (valid.offeredAt !== null) call.offeredAt = valid.offeredAt;
    call.counted = valid.counted;
    call.overflows = valid.overflows;
    call.notes = valid.notes;
    const q = (valid.queueId ? d.routing.queue(valid.queueId) : null) ?? null;
    d.book.open(call);
    this.moved.in++;
    // the row goes with the first event (its events never before it); the old node's late batch cannot undo it (journal-sql.ts)
    if (valid.row) journal.updated({});
    journal.event('moved', { from: valid.fromNode, to: valid.toNode, operatorId: valid.operatorId, waitedMs: d.now() - valid.arrivedAt });
    log.info({ from: valid.fromNode, operatorId: valid.operatorId }, 'caller handed over by another CTI node; offered here');
    if (!q) {
      const found = d.routing.queueForNumber(call.dialed);
      void Promise.resolve(found).then((fq) => (fq ? d.calls.requeue(call, fq, true) : log.warn('handed-over caller has no queue here')));
      return;
    }
    d.calls.requeue(call, q, true);
  }

  /**
   * The hold the other node took for this call becomes this node's (its roster is the truth about
   * the operator now); an operator no longer Ready here is let go at once. Sent before the call is
   * routed: the store's commands go in order, so the offer's reservation finds this node's hold.
   */
  private async holdFor(rec: HandoffRecord, keep: boolean): Promise<void> {
    const { reservations, roster } = this.d;
    const take = reservations.take(rec.operatorId, rec.callId);
    if (!keep || roster.get(rec.operatorId)?.state !== 'ready') await Promise.all([take, reservations.release(rec.operatorId)]);
    else await take;
  }
}
