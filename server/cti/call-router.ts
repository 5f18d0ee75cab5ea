import type { Agent, AgentRoster } from './agent-roster';
import type { CallBook, LiveCall } from './call-book';
import { DailyTally } from './domain/daily-tally';
import { dispatch, type WaitingCall } from './domain/dispatch';
import { afterMiss } from './domain/no-answer';
import { newMemory, nextChangeAt, type RoutingMemory } from './domain/routing';
import type { BankPort, DialHandle, DialOutcome, DtmfPressed } from './ports/bank-port';
import { pressOneApplies } from './domain/press-one-state';
import { PressOneOffers } from './press-one-offers';
import type { CallbackOffer } from './queued-callbacks';
import type { CallMetricsPort } from './ports/call-metrics-port';
import type { ReservationStore } from './ports/reservation-store';
import { OperatorClaims, type ClaimAnswer } from './operator-claims';
import type { ViewPublisher } from './views';
import { RECORDING_PROMPT } from '../shared/recording-prompts';

export interface CallRouterDeps {
  bank: BankPort;
  book: CallBook;
  roster: AgentRoster;
  views: ViewPublisher;
  now: () => number;
  stopped: () => boolean;
  metrics: CallMetricsPort;
  /** who holds each operator across CTI nodes: an operator is reserved here only once the store says so */
  reservations: ReservationStore;
  /** the random strategy's source (tests seed it); Math.random by default */
  random?: () => number;
  /** a queued callback's offer: the caller's number, then the device (queued-callbacks.ts) */
  callbacks?: { dial(call: LiveCall, offer: CallbackOffer): void };
  /** several CTI nodes: the calls a pass left waiting, for an operator free on another node (cross-node-routing.ts) */
  leftWaiting?: (calls: LiveCall[]) => void;
  /** several CTI nodes: callers waiting on other nodes, in the pass by serving order (the shared waiting list); an operator one of them wins is left Ready for that node to take */
  remoteWaiting?: (now: number) => RemoteWaiting[];
  remoteWon?: (callIds: string[], now: number) => void;
}

interface Waiting extends WaitingCall {
  live: LiveCall;
}

/** A caller waiting on another node, as that node published it: never offered from here. */
export interface RemoteWaiting extends WaitingCall {
  live: null;
}

/**
 * Offering calls to operators: the domain (`domain/dispatch.ts`, `domain/routing.ts`) decides who
 * gets which call by the queue's strategy; this reserves them, has the bank dial their devices
 * (ring-all: all at once, the first to answer wins and the others are cancelled) and settles the
 * dials (answered: connected; missed: the ring-no-answer policy, then the next operator).
 */
export class CallRouter {
  private readonly memory: RoutingMemory;
  private readonly tally = new DailyTally();
  /** the dials of a call being offered, by operator (one, or several for ring-all) */
  private readonly dials = new WeakMap<LiveCall, Map<string, DialHandle>>();
  /** operators a call is not offered to again until a time (they missed it) */
  private readonly missed = new WeakMap<LiveCall, Map<string, number>>();
  /** each operator's consecutive missed offers */
  private readonly misses = new Map<string, number>();
  private wake: { at: number; timer: NodeJS.Timeout } | null = null;
  /** mobiles and SIP phones asked to press 1 before they are bridged */
  private readonly pressOne: PressOneOffers;
  /** the reservation store's round trip before each offer (operator-claims.ts) */
  private readonly claims: OperatorClaims;

  constructor(private readonly d: CallRouterDeps) {
    this.memory = newMemory(d.random);
    this.pressOne = new PressOneOffers(d.bank, d.now);
    this.claims = new OperatorClaims(d.reservations, d.now);
  }

  /** A key pressed on a leg: true when it answered a press-1 question. */
  dtmf(e: DtmfPressed): boolean {
    return this.pressOne.dtmf(e);
  }

  /** A leg ended: true when it was a device being asked to press 1 (it hung up: a miss). */
  legEnded(legId: string): boolean {
    return this.pressOne.legEnded(legId);
  }

  /** Offers waiting calls (in serving order: queue priority, call priority with ageing, arrival) to whoever is ready now. */
  routeWaiting(): void {
    // every call end and every Ready runs this: with callers queued and nobody free it must cost
    // one look at the roster, not a sort of the waiting calls and a routing pass
    if (this.d.stopped() || !this.d.roster.anyReady()) return;
    this.run(this.d.book.waiting());
  }

  /** Offers one queued call, if someone eligible is ready. */
  route(call: LiveCall): boolean {
    if (call.status !== 'queued' || !call.queue || this.d.stopped()) return false;
    this.run([call]);
    return (call.status as LiveCall['status']) === 'offering';
  }

  /** The call ended: its talk time counts for least-talk-time. */
  callEnded(call: LiveCall): void {
    if (call.operatorId && call.answeredAt !== null && call.endedAt !== null) this.tally.talked(call.operatorId, call.endedAt - call.answeredAt, call.endedAt);
  }

  stop(): void {
    this.pressOne.stop();
    if (this.wake) clearTimeout(this.wake.timer);
    this.wake = null;
  }

  private run(calls: LiveCall[]): void {
    const { bank, roster } = this.d;
    const queued = calls.filter((c) => c.status === 'queued' && c.queue && !c.movingTo && !this.claims.isClaimingCall(c));
    if (queued.length === 0) return;
    if (!bank.isReady()) {
      // Not the operators' fault: ringing nobody beats marking every operator not_ready.
      for (const c of queued) c.log.warn('bank not registered with the ACD; the call waits');
      return;
    }
    // a blind transfer to one operator: offered to them once, then to the queue as usual
    for (const c of queued) {
      if (!c.transferTo) continue;
      const chosen = roster.get(c.transferTo);
      c.transferTo = null;
      if (chosen && chosen.state === 'ready' && roster.hasDevice(chosen) && this.reachable(c, chosen.operatorId) && !this.claims.isClaiming(chosen.operatorId)) this.claim(c, [chosen.operatorId], true);
    }
    const now = this.d.now();
    // a callback after a failed try (or just asked) waits for its time, keeping its place
    for (const c of queued) if (c.callback && c.callback.dueAt > now) this.wakeAt(c.callback.dueAt);
    const waiting = queued.filter((c) => c.status === 'queued' && !(c.callback && c.callback.dueAt > now)).map((c) => this.waitingOf(c));
    const remote = this.d.remoteWaiting?.(now) ?? [];
    const offers = dispatch<Waiting | RemoteWaiting>(remote.length > 0 ? [...waiting, ...remote] : waiting, this.claims.mask(this.d.roster.candidates(this.tally), now), this.memory, now);
    const won: string[] = [];
    for (const o of offers) {
      if (o.call.live) this.claim(o.call.live, o.operatorIds);
      else won.push(o.call.id);
    }
    if (remote.length > 0) this.d.remoteWon?.(won, now);
    if (this.d.leftWaiting) {
      const left = waiting.filter((w) => w.live.status === 'queued' && !this.claims.isClaimingCall(w.live)).map((w) => w.live);
      if (left.length > 0) this.d.leftWaiting(left);
    }
    for (const w of waiting) {
      if (w.live.status !== 'queued' || w.live.movingTo) continue;
      // said once per call (routing is tried again at every Ready and every call end)
      if (!w.live.waitLogged) w.live.log.info('no eligible operator ready; the caller waits with music');
      w.live.waitLogged = true;
      const at = nextChangeAt(w.queue, w, now);
      if (at !== null) this.wakeAt(at);
    }
  }

  /**
   * Reserves the chosen operators in the store (atomic across CTI nodes), then offers the call to
   * those this node got and who are still Ready here. One round trip per offer; the call and the
   * operators are out of every routing pass until it answers.
   */
  private claim(call: LiveCall, operatorIds: string[], direct = false): void {
    this.claims.claim(call, operatorIds, (answer) => this.claimed(call, answer, direct));
  }

  /** The store answered: offer to those this node got and who are still Ready here, give back the rest. */
  private claimed(call: LiveCall, { got, refused, retryAt }: ClaimAnswer, direct: boolean): void {
    if (retryAt !== null) {
      // signed in on another node that holds them (or the store is away): not ours to ring now
      call.log.warn({ operators: refused, nodeId: this.claims.nodeId }, 'operator held by another CTI node; not offered');
      this.wakeAt(retryAt);
    }
    const usable = got.filter((id) => this.d.roster.get(id)?.state === 'ready');
    // the call or an operator moved on while the store answered: give back what is not used
    // a call being handed to another node meanwhile is not offered here
    const offered = call.status === 'queued' && !call.movingTo && !this.d.stopped() && usable.length > 0 ? this.offer(call, usable, direct) : [];
    for (const id of got) if (!offered.includes(id)) this.claims.release(id);
    // someone refused or gone meanwhile: the waiting calls look again among the others (never the same pick: they are excluded now),
    // and operators given back may serve a call that waited while they were being claimed
    if ((refused.length > 0 || usable.length < got.length) && !this.d.stopped()) queueMicrotask(() => this.routeWaiting());
  }

  private waitingOf(c: LiveCall): Waiting {
    const q = c.queue!;
    const w: Waiting = { id: c.id, arrivedAt: c.arrivedAt, priority: c.priority ?? 0, queuePriority: q.priority, ageingSec: q.params.ageingSec, first: c.first === true, queue: q.routing, missedUntil: this.missed.get(c), live: c };
    if (this.d.bank.reaches) w.reaches = (operatorId) => this.reachable(c, operatorId);
    return w;
  }

  /**
   * Several ACD nodes: the call's node can ring this operator's device (a browser or a one-account
   * desk phone registers with one node; a mobile is reached from all). From memory, no round trip:
   * the nodes tell the bank as devices register (bank-set.ts). One node: always.
   */
  private reachable(c: LiveCall, operatorId: string): boolean {
    const uri = this.d.roster.get(operatorId)?.deviceUri;
    return !uri || !this.d.bank.reaches || this.d.bank.reaches(uri, c.legId);
  }

  /** A tier opens or a cool-down ends later: route again then (one timer, the earliest). */
  private wakeAt(at: number): void {
    if (this.wake && this.wake.at <= at) return;
    if (this.wake) clearTimeout(this.wake.timer);
    const timer = setTimeout(() => {
      this.wake = null;
      this.routeWaiting();
    }, Math.max(0, at - this.d.now()));
    timer.unref();
    this.wake = { at, timer };
  }

  /** `direct`: to this one operator whatever the queue's strategy (a blind transfer to them). Returns whom it reserved. */
  private offer(call: LiveCall, operatorIds: string[], direct = false): string[] {
    const { roster, book, views, bank } = this.d;
    const q = call.queue!;
    const reserved: Agent[] = [];
    for (const id of operatorIds) {
      const a = roster.get(id);
      if (a?.deviceUri && roster.move(a, 'offer', `call ${call.id}`)) reserved.push(a);
    }
    if (reserved.length === 0 || !book.move(call, 'offer')) {
      for (const a of reserved) roster.move(a, 'offer_cancelled', 'offer not made');
      return [];
    }
    const group = new Map<string, DialHandle>();
    this.dials.set(call, group);
    if (call.callback && this.d.callbacks) {
      this.offerCallback(call, reserved, group);
      return reserved.map((a) => a.operatorId);
    }
    const single = reserved.length === 1 && (direct || q.routing.strategy !== 'ring-all');
    call.operatorId = single ? reserved[0]!.operatorId : null;
    const offeredAt = this.d.now();
    call.journal.updated({ ...(single ? { operatorId: reserved[0]!.operatorId } : {}), offeredAt: new Date(offeredAt) });
    if (call.offeredAt === undefined) {
      call.offeredAt = offeredAt;
      this.d.metrics.offered(q.name, offeredAt - call.arrivedAt);
    }
    const record = q.recordingPolicy === 'always';
    // the ACD tells the caller before the bridge, once per call, however many dials it takes
    const notice = record && q.recordingNotice ? RECORDING_PROMPT.always : undefined;
    for (const a of reserved) {
      a.callId = call.id;
      // a mobile's or SIP phone's answer may be a voicemail: it must press 1 before it hears the caller
      const pressOne = pressOneApplies(a.device, q.pressOne);
      call.log.info({ operatorId: a.operatorId, device: a.deviceUri, strategy: q.routing.strategy, pressOne }, 'offering call to operator; dialling their device');
      call.journal.event('offered', { operatorId: a.operatorId, ringTimeoutSec: q.ringTimeoutSec, strategy: q.routing.strategy, ...(pressOne ? { pressOne: true } : {}) });
      views.agentChanged(a);
      views.callOffered(a.operatorId, call, { pressOne });
      // a press-1 dial records on demand once bridged (the dial's own recording is of the bridge it makes)
      const ask = pressOne ? { confirm: q.pressOne.clip } : record ? { record, ...(notice ? { notice } : {}) } : {};
      const dial = bank.dial({ deviceUri: a.deviceUri!, bridgeTo: call.legId, ringTimeoutSec: q.ringTimeoutSec, ...(single ? {} : { parallel: true }), ...ask });
      if (pressOne) this.pressOne.track(dial, q.pressOne.timeoutSec);
      group.set(a.operatorId, dial);
      call.dial ??= dial;
      dial.on('ringing', () => {
        if (group.get(a.operatorId) === dial && this.dials.get(call) === group) call.journal.event('device-ringing', { operatorId: a.operatorId });
      });
      void dial.outcome.then((o) => this.dialSettled(call, a, dial, o));
    }
    views.callChanged(call);
    return reserved.map((a) => a.operatorId);
  }

  /** Cancels the dials in progress and frees the reserved operators. */
  withdrawOffer(call: LiveCall, event: 'offer_cancelled' | 'offer_failed', reason: string): void {
    if (call.status !== 'offering') return;
    const group = this.dials.get(call);
    this.dials.delete(call);
    call.dial = null;
    for (const [id, dial] of group ?? []) {
      this.cancel(dial);
      const a = this.d.roster.get(id);
      if (a && a.callId === call.id) {
        a.callId = null;
        this.d.roster.move(a, event, reason);
      }
    }
  }

  /** A reserved operator leaves: their dial is withdrawn, they are signed out, the call goes on (to the others ringing, or the next one). */
  withdrawReservation(a: Agent, reason: string): boolean {
    const call = a.callId ? this.d.book.live(a.callId) : undefined;
    const group = call ? this.dials.get(call) : undefined;
    if (!call || !group) return false;
    const dial = group.get(a.operatorId);
    group.delete(a.operatorId);
    if (dial) this.cancel(dial);
    a.callId = null;
    call.journal.event('dial-failed', { operatorId: a.operatorId, status: 487, cause: `operator ${reason}` });
    this.d.roster.move(a, 'offer_failed', `operator ${reason}`);
    this.d.roster.move(a, 'sign_out', reason);
    if (group.size === 0) this.requeue(call);
    return true;
  }

  private dialSettled(call: LiveCall, a: Agent, dial: DialHandle, o: DialOutcome): void {
    const { bank, roster } = this.d;
    const group = this.dials.get(call);
    if (!group || group.get(a.operatorId) !== dial || call.status !== 'offering') {
      // The call moved on (caller left, max wait, another operator answered) while this device rang.
      if (o.kind === 'answered') {
        call.log.warn({ deviceLegId: o.legId }, 'device answered a withdrawn offer; releasing it');
        bank.release(o.legId);
      }
      return;
    }
    if (o.kind === 'answered' && this.pressOne.asks(dial)) return this.askToAccept(call, a, dial, o.legId);
    group.delete(a.operatorId);
    if (o.kind === 'answered') {
      if (o.told) call.callerTold = true;
      return this.won(call, a, group, o.legId, o.recording);
    }
    call.log.warn({ operatorId: a.operatorId, status: o.status, cause: o.cause }, 'dial failed');
    call.journal.event('dial-failed', { operatorId: a.operatorId, status: o.status, cause: o.cause });
    a.callId = null;
    if (o.status === 481) {
      // The caller's leg is gone: not the operator's fault; legEnded ends the call.
      roster.move(a, 'offer_cancelled', 'caller gone while ringing');
    } else if (o.status === 404 || o.status === 480) {
      // The device is not registered (any more): same effect, a clearer reason in the log.
      roster.move(a, 'device_lost', `device unreachable (${o.status} ${o.cause})`);
      roster.maybeSignOut(a);
    } else {
      this.noAnswer(call, a, `${o.status} ${o.cause}`);
    }
    if (group.size === 0) this.requeue(call);
  }

  /** A dial of the call's offer is withdrawn: CANCEL while it rings, the device released while it is asked to press 1. */
  private cancel(dial: DialHandle): void {
    dial.cancel();
    this.pressOne.withdraw(dial);
  }

  /** This operator's device answered first (and, asked, pressed 1): the others are cancelled, the call connected. */
  private won(call: LiveCall, a: Agent, group: Map<string, DialHandle>, deviceLegId: string, recording?: string | null): void {
    const { roster } = this.d;
    this.dials.delete(call);
    call.dial = null;
    // Ring-all: the first to answer wins; the others' dials are cancelled (CANCEL → 487) and they are Ready again.
    for (const [id, other] of group) {
      this.cancel(other);
      const loser = roster.get(id);
      if (loser && loser.callId === call.id) {
        loser.callId = null;
        roster.move(loser, 'offer_cancelled', `another operator answered call ${call.id}`);
      }
      call.journal.event('offer-cancelled', { operatorId: id, reason: 'another operator answered' });
    }
    this.connected(call, a, deviceLegId, recording);
  }

  /**
   * The device picked up a press-1 offer: the ACD plays it the question and keeps the caller on
   * music. The offer stays this operator's (the dial stays in the group) until a verdict.
   */
  private askToAccept(call: LiveCall, a: Agent, dial: DialHandle, deviceLegId: string): void {
    const { roster } = this.d;
    const group = () => {
      const g = this.dials.get(call);
      return g && g.get(a.operatorId) === dial && call.status === 'offering' ? g : null;
    };
    const settle = (): Map<string, DialHandle> => {
      const g = group()!;
      g.delete(a.operatorId);
      a.callId = null;
      return g;
    };
    this.pressOne.answered({
      call,
      operatorId: a.operatorId,
      dial,
      deviceLegId,
      current: () => group() !== null,
      taken: () => {
        const g = group()!;
        g.delete(a.operatorId);
        this.won(call, a, g, deviceLegId, null);
      },
      missed: (why) => {
        const g = settle();
        this.noAnswer(call, a, why);
        if (g.size === 0) this.requeue(call);
      },
      notBridged: () => {
        // not the operator's doing (they pressed 1): back to Ready, the call to the next operator
        const g = settle();
        roster.move(a, 'offer_cancelled', 'bridge refused after press 1');
        if (g.size === 0) this.requeue(call);
      },
    });
  }

  /** The operator's device answered, bridged to the caller: the call is connected, the operator talking. */
  private connected(call: LiveCall, a: Agent, deviceLegId: string, recording?: string | null): void {
    const { roster, book, views } = this.d;
    const at = this.d.now();
    call.operatorId = a.operatorId;
    call.deviceLegId = deviceLegId;
    call.answeredAt = at;
    this.d.metrics.answered(call.queue?.name ?? null, at - call.arrivedAt);
    // after a blind transfer the ACD's recording goes on (it follows the caller's leg): same file, same start
    const running = call.recording;
    call.recording = recording ? { fileName: recording, startedAt: running?.fileName === recording ? running.startedAt : at } : (running ?? null);
    this.misses.delete(a.operatorId);
    this.tally.answered(a.operatorId, at);
    book.bindLeg(deviceLegId, call);
    book.move(call, 'answer');
    roster.move(a, 'answer', `call ${call.id}`);
    call.log.info({ operatorId: a.operatorId, deviceLegId }, 'operator answered; caller and device bridged');
    call.journal.updated({ operatorId: a.operatorId, answeredAt: new Date(at) });
    call.journal.event('answered', { operatorId: a.operatorId, deviceLegId, queueId: call.queue?.id ?? null, ...(recording ? { recording } : {}) });
    views.callChanged(call);
  }

  /** A queued callback: one operator reserved (the first chosen), the rest of a ring-all set free again. */
  private offerCallback(call: LiveCall, reserved: Agent[], group: Map<string, DialHandle>): void {
    const { roster, book, views } = this.d;
    const [a, ...others] = reserved as [Agent, ...Agent[]];
    for (const o of others) roster.move(o, 'offer_cancelled', 'callback: another operator was chosen');
    call.operatorId = a.operatorId;
    a.callId = call.id;
    call.journal.updated({ operatorId: a.operatorId, offeredAt: new Date(this.d.now()) });
    views.agentChanged(a);
    views.callChanged(call);
    this.d.callbacks!.dial(call, {
      agent: a,
      track: (dial) => {
        group.set(a.operatorId, dial);
        call.dial = dial;
      },
      current: () => this.dials.get(call) === group && group.has(a.operatorId),
      failed: (why) => {
        this.dials.delete(call);
        call.dial = null;
        call.operatorId = null;
        if (a.callId === call.id) {
          a.callId = null;
          roster.move(a, 'offer_cancelled', why);
        }
        book.move(call, 'dial_failed');
      },
      answered: (deviceLegId, recording) => {
        this.dials.delete(call);
        call.dial = null;
        // from here an ordinary call: a transfer back to a queue must not call the number again
        call.callback = null;
        this.connected(call, a, deviceLegId, recording);
      },
    });
  }

  /** Ring-no-answer: counted against the operator; Not ready only after the queue's maxNoAnswer in a row. */
  private noAnswer(call: LiveCall, a: Agent, why: string): void {
    const { params } = call.queue!;
    const now = this.d.now();
    const v = afterMiss(this.misses.get(a.operatorId) ?? 0, params.maxNoAnswer, params.missCooldownSec, now);
    if (v.misses > 0) this.misses.set(a.operatorId, v.misses);
    else this.misses.delete(a.operatorId);
    let skip = this.missed.get(call);
    if (!skip) this.missed.set(call, (skip = new Map()));
    skip.set(a.operatorId, v.skipUntil);
    call.journal.event('no-answer', { operatorId: a.operatorId, misses: v.notReady ? params.maxNoAnswer : v.misses, maxNoAnswer: params.maxNoAnswer, notReady: v.notReady, skippedUntil: new Date(v.skipUntil).toISOString() });
    if (v.notReady) {
      this.d.roster.move(a, 'offer_failed', `no answer (${why})`);
      this.d.roster.maybeSignOut(a);
    } else {
      this.d.roster.move(a, 'offer_cancelled', `no answer (${why}), ${v.misses} of ${params.maxNoAnswer} before Not ready`);
    }
  }

  /** Nobody took the offer: the call is back at its place in the queue (it keeps its arrival time) and goes on to the next operator. */
  private requeue(call: LiveCall): void {
    this.dials.delete(call);
    call.dial = null;
    call.operatorId = null;
    this.d.book.move(call, 'dial_failed');
    call.journal.event('requeued', {});
    this.d.views.callChanged(call);
    this.route(call);
  }
}
