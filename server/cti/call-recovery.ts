import { randomBytes } from 'node:crypto';
import type { CallMetricsPort, RecoveredKind } from './ports/call-metrics-port';
import type { Logger } from '../log';
import { numberFromUri } from '../contracts/call-work';
import type { Agent, AgentRoster } from './agent-roster';
import type { CallBook, LiveCall } from './call-book';
import type { Journal } from './call-journal';
import type { CallLifecycle } from './call-lifecycle';
import { newLiveCall } from './live-call';
import type { BankPort, LegRecovered } from './ports/bank-port';
import type { CtiStore, OpenCall, QueueInfo } from './ports/cti-store';
import type { RoutingConfig } from './routing-config';
import type { ViewPublisher } from './views';

export interface CallRecoveryDeps {
  bank: BankPort;
  store: Pick<CtiStore, 'openCalls'>;
  book: CallBook;
  journal: Journal;
  roster: AgentRoster;
  views: ViewPublisher;
  routing: Pick<RoutingConfig, 'start' | 'queue' | 'queueForNumber'>;
  calls: Pick<CallLifecycle, 'legOffered' | 'requeue' | 'endCall'>;
  log: Logger;
  now: () => number;
  stopped: () => boolean;
  /** how long after the bank first registers the ACD's re-offers are awaited before stored calls it did not offer are closed */
  settleMs: number;
  /** what recovery did, for /metrics */
  metrics: Pick<CallMetricsPort, 'recovered' | 'recoverySettled'>;
  /**
   * Several CTI nodes share the database: a stored call this node was not re-offered may be live on
   * another node, so the settle closes none (default true: one node, the ACD's re-offers are all there is).
   */
  closeUnoffered?: boolean;
}

/** What one start's recovery found (logged when it settles; tests read it). */
export interface RecoveryReport {
  /** calls rebuilt from re-offers: parked (routed again) and in a call (bridged, held, mixed) */
  parked: number;
  talking: number;
  /** stored calls the ACD no longer held: closed */
  closed: number;
  /** device legs re-offered with no call to go back to: released */
  released: number;
  /** from this CTI's start to the last call rebuilt (null: none) */
  lastRebuiltMs: number | null;
}

/**
 * A CTI that starts rebuilds what a previous one left (docs/cti.md, "Restart recovery"): the ACD
 * re-offers every leg it still holds (`legRecovered`, X-PB-Recovered) and the journal's open rows
 * say which call each caller leg was. Each re-offered caller becomes its stored call again — same
 * id, arrival, queue, operator, timeline going on with a `recovered` event — parked ones back in
 * their queue, bridged ones with their operator, given back to them when they reconnect. Once the
 * bank has been registered for `settleMs`, stored calls the ACD did not re-offer are closed, device
 * legs left with no call are released, and the parked callers are routed in their arrival order.
 * Nothing is reserved by recovery: a parked caller's operator offer died with the old CTI.
 */
export class CallRecovery {
  private readonly byLeg = new Map<string, OpenCall>();
  /** device legs re-offered before (or without) their caller */
  private readonly devices = new Map<string, LegRecovered>();
  /** operator id → the recovered call they are on, until they reconnect */
  private readonly owed = new Map<string, string>();
  private readonly parked: LiveCall[] = [];
  private loaded: Promise<void> = Promise.resolve();
  /** the open rows read again for a late re-offer (another node died: its calls come to this one) */
  private reloading: Promise<void> | null = null;
  private settleTimer: NodeJS.Timeout | null = null;
  private settled = false;
  private startedAt = 0;
  readonly report: RecoveryReport = { parked: 0, talking: 0, closed: 0, released: 0, lastRebuiltMs: null };
  private readonly offs: Array<() => void> = [];

  constructor(private readonly d: CallRecoveryDeps) {}

  start(): void {
    const { d } = this;
    this.startedAt = d.now();
    const open = d.store.openCalls ? d.store.openCalls() : Promise.resolve([]);
    this.loaded = Promise.all([open, d.routing.start().catch(() => undefined)]).then(
      ([rows]) => {
        for (const r of rows) if (r.row.acdLegId) this.byLeg.set(r.row.acdLegId, r);
        if (rows.length) d.log.info({ open: rows.length }, 'recovery: stored calls still open; waiting for the ACD to re-offer their legs');
      },
      (err: unknown) => d.log.error({ err }, 'recovery: the open calls could not be read; re-offered legs become new calls'),
    );
    this.offs.push(
      d.bank.on('legRecovered', (e) => {
        // handed over by a live node: cross-node-routing.ts takes it, with no database read
        if (e.handoffFrom !== undefined) return;
        // one hop after the stored calls are loaded, not two: a settle whose timer fired while they
        // were still loading (a slow database) waits on the same promise, registered later, and
        // must run after every re-offer that came before it (else their calls are closed as gone)
        void this.loaded.then(() =>
          // after the settle, or any time when other nodes share the database (one may have just died)
          (this.settled || d.closeUnoffered === false) && !this.byLeg.has(e.legId) && !d.book.hasLeg(e.legId) ? this.reload().then(() => this.recovered(e)) : this.recovered(e),
        );
      }),
    );
    const armSettle = () => {
      if (this.settleTimer || this.settled) return;
      this.settleTimer = setTimeout(() => void this.loaded.then(() => this.settle()), d.settleMs);
    };
    this.offs.push(d.bank.on('registered', armSettle));
    if (d.bank.isReady()) armSettle();
  }

  /**
   * A re-offer of a leg this node never held and its start did not read: another CTI node died and the ACD
   * gave its legs to this one. Its stored row (same id, operator, timeline) is read again, once per
   * burst of re-offers, so the call goes on as itself rather than as a new call.
   */
  private reload(): Promise<void> {
    const { d } = this;
    return (this.reloading ??= (d.store.openCalls ? d.store.openCalls() : Promise.resolve([]))
      .then(
        (rows) => {
          for (const r of rows) if (r.row.acdLegId && !d.book.hasLeg(r.row.acdLegId)) this.byLeg.set(r.row.acdLegId, r);
        },
        (err: unknown) => d.log.error({ err }, 'recovery: the open calls could not be read again; the re-offered leg becomes a new call'),
      )
      .finally(() => (this.reloading = null)));
  }

  stop(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = null;
    for (const off of this.offs.splice(0)) off();
  }

  /** An operator signed in (again): a recovered call of theirs is given back to them (talking, shown on their console). */
  operatorConnected(a: Agent): void {
    const callId = this.owed.get(a.operatorId);
    if (!callId) return;
    this.owed.delete(a.operatorId);
    const call = this.d.book.live(callId);
    if (!call || call.status === 'ended' || a.callId) return;
    try {
      // through the agent machine's own moves: not_ready → reserved → talking
      this.d.roster.command(a, 'dial', `recovered call ${call.id}`);
      a.callId = call.id;
      this.d.roster.command(a, 'answer', `recovered call ${call.id}`);
    } catch (err) {
      a.log.warn({ err, callId }, 'recovery: the recovered call could not be given back to its operator');
      return;
    }
    a.log.info({ callId }, 'recovery: operator reconnected to their live call');
    this.d.views.callChanged(call);
  }

  private recovered(e: LegRecovered): void {
    const { d } = this;
    if (d.stopped() || d.book.hasLeg(e.legId)) return; // a device its caller's call already took back
    if (e.kind === 'device') {
      this.devices.set(e.legId, e);
      return;
    }
    const stored = this.byLeg.get(e.legId) ?? null;
    this.byLeg.delete(e.legId);
    if (!stored && e.state === 'parked') {
      // a caller the old CTI had not stored yet: a new call, with its arrival
      d.calls.legOffered({ legId: e.legId, dialed: e.dialed ?? '', audio: e.audio, callerName: e.callerName, callerUri: e.callerUri, controlSessionId: '', arrivedAt: e.since });
      this.rebuilt();
      return;
    }
    const call = this.callOf(e, stored);
    if (e.state === 'parked') {
      this.parked.push(call);
      this.count('parked');
      // routed once settled, in arrival order (a late re-offer joins at once)
      if (this.settled) this.route([call]);
    } else {
      this.talking(call, e, stored);
    }
    this.rebuilt();
  }

  /** The stored call again (or a new one for a caller in a call the old CTI never stored), in the book. */
  private callOf(e: LegRecovered, stored: OpenCall | null): LiveCall {
    const { d } = this;
    const now = d.now();
    const id = stored?.row.id ?? `call-${randomBytes(8).toString('hex')}`;
    const log = d.log.child({ callId: id, legId: e.legId });
    const journal = stored ? d.journal.resume(id, log, stored.row, stored.lastSeq) : d.journal.call(id, log);
    const call = newLiveCall({ id, legId: e.legId, dialed: e.dialed ?? stored?.row.dialed ?? '', callerName: e.callerName, callerUri: e.callerUri, arrivedAt: stored?.row.arrivedAt.getTime() ?? e.since, log, journal });
    if (!stored) journal.created({ acdLegId: e.legId, dialed: call.dialed, callerId: e.callerUri, callerNumber: numberFromUri(e.callerUri), queueId: null, arrivedAt: new Date(call.arrivedAt) });
    const qid = stored?.row.queueId;
    call.queue = qid ? d.routing.queue(qid) : null;
    call.notes = stored?.row.notes ?? null;
    const lastAt = stored?.lastEventAt?.getTime() ?? null;
    journal.event('recovered', { state: e.state, gapMs: lastAt === null ? null : now - lastAt, ...(e.peer ? { peer: e.peer } : {}) });
    log.info({ state: e.state, stored: stored !== null }, 'recovery: call rebuilt from the ACD re-offer');
    d.book.open(call);
    return call;
  }

  /** A caller in a call: its device leg bound, its operator owed the call until they reconnect. */
  private talking(call: LiveCall, e: LegRecovered, stored: OpenCall | null): void {
    const { d } = this;
    const device = e.peer && e.peer !== call.legId ? e.peer : null;
    if (device) {
      call.deviceLegId = device;
      d.book.bindLeg(device, call);
      this.devices.delete(device);
    }
    call.operatorId = stored?.row.operatorId ?? null;
    call.answeredAt = stored?.row.answeredAt?.getTime() ?? e.since;
    d.book.move(call, 'offer');
    d.book.move(call, 'answer');
    if (e.state === 'held') d.book.move(call, 'hold');
    this.count('talking');
    const a = call.operatorId ? d.roster.get(call.operatorId) : undefined;
    if (call.operatorId) this.owed.set(call.operatorId, call.id);
    if (a) this.operatorConnected(a);
    d.views.callChanged(call);
  }

  private rebuilt(): void {
    this.report.lastRebuiltMs = this.d.now() - this.startedAt;
  }

  private settle(): void {
    const { d } = this;
    this.settleTimer = null;
    if (this.settled || d.stopped()) return;
    this.settled = true;
    const now = d.now();
    if (d.closeUnoffered ?? true) for (const stored of this.byLeg.values()) this.close(stored, now);
    else if (this.byLeg.size) d.log.info({ open: this.byLeg.size }, 'recovery: stored calls not re-offered here are left open (other CTI nodes may hold them)');
    this.byLeg.clear();
    for (const legId of this.devices.keys()) {
      d.log.warn({ legId }, 'recovery: a device leg with no call to go back to; releasing it');
      d.bank.release(legId);
      this.count('released');
    }
    this.devices.clear();
    this.route(this.parked.splice(0));
    d.metrics.recoverySettled(this.report.lastRebuiltMs);
    d.log.info({ ...this.report, settleMs: d.settleMs }, 'recovery settled');
  }

  private count(kind: RecoveredKind): void {
    this.report[kind]++;
    this.d.metrics.recovered(kind);
  }

  /** A stored call the ACD did not re-offer: it ended while no CTI was there. */
  private close(stored: OpenCall, now: number): void {
    const { d } = this;
    const { row } = stored;
    const log = d.log.child({ callId: row.id, legId: row.acdLegId });
    const journal = d.journal.resume(row.id, log, row, stored.lastSeq);
    const outcome = row.answeredAt ? 'completed' : 'abandoned';
    journal.event('recovered', { state: 'gone', gapMs: stored.lastEventAt ? now - stored.lastEventAt.getTime() : null });
    journal.updated({ endedAt: new Date(now), endedBy: 'system', outcome });
    journal.event('ended', { endedBy: 'system', outcome });
    log.info({ outcome }, 'recovery: a stored call the ACD no longer holds; closed');
    this.count('closed');
  }

  /** Parked callers back in their queues, oldest first (each keeps its arrival: its place). */
  private route(calls: LiveCall[]): void {
    const { d } = this;
    calls.sort((x, y) => x.arrivedAt - y.arrivedAt);
    for (const call of calls) {
      if (call.status !== 'queued') continue;
      const found = call.queue ?? d.routing.queueForNumber(call.dialed);
      const q: QueueInfo | null = found instanceof Promise ? null : found;
      if (!q) {
        call.log.warn({ dialed: call.dialed }, 'recovery: no queue for a recovered caller; releasing them');
        d.bank.release(call.legId);
        d.book.unbindLeg(call.legId);
        d.calls.endCall(call, 'system', 'failed');
        continue;
      }
      d.calls.requeue(call, q);
    }
  }
}
