/**
 * The CTI's parts and how they reach each other (docs/cti.md), assembled once for CtiService.
 * Apart from the facade so the wiring — who tells whom — reads in one place; the parts call
 * each other through the object being built, so a part may name one made after it.
 */
import { AgentRoster } from './agent-roster';
import { CallBook } from './call-book';
import { Journal } from './call-journal';
import { CallLifecycle } from './call-lifecycle';
import { CallRecording } from './call-recording';
import { CallMonitor } from './call-monitor';
import { OutboundCalls } from './outbound-calls';
import { CallRouter } from './call-router';
import { CallWorkDesk } from './call-work';
import { CodeBook } from './code-book';
import { ConfigFollower } from './config-follower';
import { DeviceGrants } from './device-grants';
import { RoutingConfig } from './routing-config';
import { QueuedCallbacks } from './queued-callbacks';
import { WaitAnnouncer } from './wait-announcer';
import { InCallControls } from './in-call-controls';
import { CallConsult } from './call-consult';
import { ScheduleCache } from './schedule-cache';
import { CallRecovery } from './call-recovery';
import { CrossNodeRouting } from './cross-node-routing';
import type { CtiServiceOptions } from './cti-service-options';
import type { CallRow } from './ports/cti-store';
import type { LiveCall } from './call-book';
import { NO_CALL_METRICS } from './ports/call-metrics-port';
import { ViewPublisher } from './views';
import { QueueBoard } from './queue-board';
import { memoryReservationStore } from './reservations/memory-reservation-store';

export interface CtiParts {
  journal: Journal;
  views: ViewPublisher;
  roster: AgentRoster;
  book: CallBook;
  router: CallRouter;
  calls: CallLifecycle;
  announcer: WaitAnnouncer;
  callbacks: QueuedCallbacks;
  recording: CallRecording;
  devices: DeviceGrants;
  config: ConfigFollower;
  routing: RoutingConfig;
  hours: ScheduleCache;
  codes: CodeBook;
  work: CallWorkDesk;
  controls: InCallControls;
  consult: CallConsult;
  monitor: CallMonitor;
  outbound: OutboundCalls;
  board: QueueBoard;
  recovery: CallRecovery;
  /** several CTI nodes only: callers handed to the node whose operator is free */
  crossNode: CrossNodeRouting | null;
}

export function assembleCtiParts(o: CtiServiceOptions, stopped: () => boolean): CtiParts {
  const p = {} as CtiParts;
  const log = o.logger.child({ part: 'cti' });
  const now = o.now ?? Date.now;
  // one node on its own holds its operators in memory; several share Redis (start-cti.ts)
  const reservations = o.reservations ?? memoryReservationStore();
  // the history pages re-read once a call's row is stored: one message per committed batch
  const onCallsStored = (rows: readonly CallRow[]) => {
    o.journal?.onCallsStored?.(rows);
    o.notifier.historyStored?.(rows.map((r) => r.id));
  };
  p.journal = new Journal(o.store, now, log, { ...o.journal, onCallsStored }, o.recordings ?? null);
  p.routing = new RoutingConfig(o.store, log.child({ module: 'routing-config' }));
  p.views = new ViewPublisher(o.notifier, (id) => p.roster.get(id)?.name ?? null, log, () => {
    p.board.poke();
    p.crossNode?.changed();
  });
  p.roster = new AgentRoster({
    journal: p.journal,
    views: p.views,
    log,
    now,
    disconnectGraceMs: o.disconnectGraceMs ?? 30_000,
    reservations,
    hooks: {
      becameReady: () => p.router.routeWaiting(),
      withdrawReservation: (a, reason) => p.router.withdrawReservation(a, reason),
      signedOut: () => p.calls.operatorSignedOut(),
    },
  });
  p.book = new CallBook(o.recentCallsKept ?? 50);
  p.board = new QueueBoard({
    queues: () => p.routing.all(),
    queue: (id) => p.routing.queue(id),
    agents: () => p.roster.all(),
    calls: () => p.book.all(),
    storedFacts: o.store.callFacts ? (start, end) => o.store.callFacts!(start, end) : undefined,
    publish: (tiles) => o.notifier.queuesChanged?.(tiles),
    timeZone: o.timeZone ?? 'UTC',
    now,
    log: log.child({ module: 'queue-board' }),
    ...(o.boardExchange ? { exchange: o.boardExchange } : {}),
  });
  p.journal.observe(p.board.observer);
  p.hours = new ScheduleCache(o.store, log.child({ module: 'schedule-cache' }));
  const metrics = o.metrics ?? NO_CALL_METRICS;
  // one node alone: no cross-node part at all, its routing path exactly as it was
  const crossNode = o.exchange && o.bank.handoff ? { exchange: o.exchange, bank: o.bank, handoff: o.bank.handoff.bind(o.bank) } : null;
  p.crossNode = null;
  p.router = new CallRouter({
    bank: o.bank,
    book: p.book,
    roster: p.roster,
    views: p.views,
    now,
    stopped,
    metrics,
    reservations,
    callbacks: { dial: (c, offer) => p.callbacks.dial(c, offer) },
    ...(crossNode
      ? { leftWaiting: (calls: LiveCall[]) => p.crossNode?.leftWaiting(calls), remoteWaiting: (at: number) => p.crossNode?.remoteWaiting(at) ?? [], remoteWon: (ids: string[], at: number) => p.crossNode?.remoteWon(ids, at) }
      : {}),
  });
  p.announcer = new WaitAnnouncer({ bank: o.bank, book: p.book, roster: p.roster, now, stopped });
  p.calls = new CallLifecycle({
    announcer: p.announcer,
    bank: o.bank,
    routing: p.routing,
    book: p.book,
    roster: p.roster,
    router: p.router,
    journal: p.journal,
    views: p.views,
    hours: p.hours,
    sipDomain: o.sipDomain,
    log,
    now,
    stopped,
    metrics,
    consultLeft: (c) => p.consult.targetLeft(c),
    callEnding: (c) => p.consult.abandon(c),
  });
  p.callbacks = new QueuedCallbacks({
    bank: o.bank,
    book: p.book,
    views: p.views,
    announcer: p.announcer,
    numberAllowed: (e164) => p.outbound.allows(e164),
    endCall: (c, by, outcome) => p.calls.endCall(c, by, outcome),
    routeWaiting: () => p.router.routeWaiting(),
    sipDomain: o.sipDomain,
    now,
  });
  p.recording = new CallRecording({ bank: o.bank, book: p.book, roster: p.roster, views: p.views, now });
  p.devices = new DeviceGrants({
    roster: p.roster,
    bank: o.bank,
    store: o.store,
    views: p.views,
    secret: o.secret,
    sipDomain: o.sipDomain,
    deviceWsUrl: o.deviceWsUrl,
    deviceCredTtlSec: o.deviceCredTtlSec,
    sipPhone: o.sipPhone ?? null,
    now,
    log,
  });
  p.controls = new InCallControls({ bank: o.bank, store: o.store, numberAllowed: (e164) => p.outbound.allows(e164), routing: p.routing, book: p.book, roster: p.roster, router: p.router, views: p.views, requeue: (c, q) => p.calls.requeue(c, q), sipDomain: o.sipDomain, now, log });
  p.consult = new CallConsult({ bank: o.bank, sipDomain: o.sipDomain, book: p.book, roster: p.roster, views: p.views, controls: p.controls });
  p.outbound = new OutboundCalls({ bank: o.bank, store: o.store, book: p.book, roster: p.roster, journal: p.journal, views: p.views, calls: p.calls, sipDomain: o.sipDomain, log, now });
  p.monitor = new CallMonitor({
    bank: o.bank,
    book: p.book,
    secret: o.secret,
    sipDomain: o.sipDomain,
    deviceWsUrl: o.deviceWsUrl,
    deviceCredTtlSec: o.deviceCredTtlSec,
    sipPhone: o.sipPhone ?? null,
    notify: (id, v) => p.views.monitorChanged(id, v),
    mobiles: o.store.mobileOf && o.store.setMobile ? { mobileOf: (u) => o.store.mobileOf!(u), setMobile: (u, e, v) => o.store.setMobile!(u, e, v) } : null,
    notifyMobile: (id, st) => p.views.monitorMobileChanged(id, st),
    pressOneMs: o.monitorPressOneMs,
    operatorName: (id) => p.roster.get(id)?.name ?? null,
    now,
    log,
  });
  p.codes = new CodeBook(o.store, log);
  p.work = new CallWorkDesk({ roster: p.roster, book: p.book, codes: p.codes, store: o.store });
  p.config = new ConfigFollower({ store: o.store, routing: p.routing, book: p.book, roster: p.roster, router: p.router, views: p.views, hours: p.hours, codes: p.codes, log, stopped });
  if (crossNode) {
    p.crossNode = new CrossNodeRouting({ ...crossNode, reservations, book: p.book, roster: p.roster, routing: p.routing, journal: p.journal, views: p.views, calls: p.calls, router: p.router, announcer: p.announcer, now, stopped, log: log.child({ module: 'cross-node' }) });
  }
  const { bank, store, recoverySettleMs: settleMs = 3_000 } = o;
  // several nodes share the database when they share reservations: a call not re-offered here may be another node's
  const closeUnoffered = o.reservations === undefined || o.reservations.shared !== true;
  p.recovery = new CallRecovery({ bank, store, book: p.book, journal: p.journal, roster: p.roster, views: p.views, routing: p.routing, calls: p.calls, log: log.child({ module: 'recovery' }), now, stopped, settleMs, metrics, closeUnoffered });
  return p;
}
