import type { Agent, AgentRoster } from './agent-roster';
import type { CallBook, LiveCall } from './call-book';
import { pickOperator } from './domain/routing';
import type { BankPort, DialHandle, DialOutcome } from './ports/bank-port';
import type { ViewPublisher } from './views';

export interface CallRouterDeps {
  bank: BankPort;
  book: CallBook;
  roster: AgentRoster;
  views: ViewPublisher;
  now: () => number;
  stopped: () => boolean;
}

/**
 * Offering calls to operators: picks the longest-idle ready operator of the call's queue,
 * reserves them, has the bank dial their device, and settles the dial (answered: connected;
 * failed: the operator leaves `ready` and the call is offered to the next one).
 */
export class CallRouter {
  constructor(private readonly d: CallRouterDeps) {}

  /** Offers waiting calls (oldest first) to whoever is ready now. */
  routeWaiting(): void {
    if (this.d.stopped()) return;
    for (const c of this.d.book.waiting()) this.route(c);
  }

  /** Offers a queued call to the longest-idle ready operator, if there is one. */
  route(call: LiveCall): boolean {
    const { bank, roster, book, views } = this.d;
    if (call.status !== 'queued' || !call.queue || this.d.stopped()) return false;
    if (!bank.isReady()) {
      // Not the operators' fault: ringing nobody beats marking every operator not_ready.
      call.log.warn('bank not registered with the ACD; the call waits');
      return false;
    }
    const pick = pickOperator(call.queue.members, roster.candidates());
    if (!pick) {
      call.log.info('no operator ready; the caller waits with music');
      return false;
    }
    const a = roster.get(pick)!;
    if (!roster.move(a, 'offer', `call ${call.id}`) || !book.move(call, 'offer') || !a.deviceUri) return false;
    a.callId = call.id;
    call.operatorId = a.operatorId;
    const offeredAt = this.d.now();
    call.log.info({ operatorId: a.operatorId, device: a.deviceUri }, 'offering call to operator; dialling their device');
    call.journal.updated({ operatorId: a.operatorId, offeredAt: new Date(offeredAt) });
    call.journal.event('offered', { operatorId: a.operatorId, ringTimeoutSec: call.queue.ringTimeoutSec });
    views.agentChanged(a);
    views.callChanged(call);
    views.callOffered(a.operatorId, call);
    const dial = bank.dial({ deviceUri: a.deviceUri, bridgeTo: call.legId, ringTimeoutSec: call.queue.ringTimeoutSec });
    call.dial = dial;
    dial.on('ringing', () => {
      if (call.dial === dial) call.journal.event('device-ringing');
    });
    void dial.outcome.then((o) => this.dialSettled(call, a, dial, o));
    return true;
  }

  /** Cancels a dial in progress and frees the reserved operator. */
  withdrawOffer(call: LiveCall, event: 'offer_cancelled' | 'offer_failed', reason: string): void {
    if (call.status !== 'offering') return;
    const dial = call.dial;
    call.dial = null;
    dial?.cancel();
    const a = call.operatorId ? this.d.roster.get(call.operatorId) : undefined;
    if (a && a.callId === call.id) {
      a.callId = null;
      this.d.roster.move(a, event, reason);
    }
  }

  /** A reserved operator leaves: the offer is withdrawn, they are signed out, the call goes to the next one. */
  withdrawReservation(a: Agent, reason: string): boolean {
    const call = a.callId ? this.d.book.live(a.callId) : undefined;
    if (!call) return false;
    this.withdrawOffer(call, 'offer_failed', `operator ${reason}`);
    call.journal.event('dial-failed', { operatorId: a.operatorId, status: 487, cause: `operator ${reason}` });
    this.d.book.move(call, 'dial_failed');
    call.operatorId = null;
    this.d.views.callChanged(call);
    this.d.roster.move(a, 'sign_out', reason);
    this.route(call);
    return true;
  }

  private dialSettled(call: LiveCall, a: Agent, dial: DialHandle, o: DialOutcome): void {
    const { bank, roster, book, views } = this.d;
    if (call.dial !== dial || call.status !== 'offering') {
      // The call moved on (caller left, max wait) while the device was being dialled.
      if (o.kind === 'answered') {
        call.log.warn({ deviceLegId: o.legId }, 'device answered a withdrawn offer; releasing it');
        bank.release(o.legId);
      }
      return;
    }
    call.dial = null;
    if (o.kind === 'answered') {
      const at = this.d.now();
      call.deviceLegId = o.legId;
      call.answeredAt = at;
      book.bindLeg(o.legId, call);
      book.move(call, 'answer');
      roster.move(a, 'answer', `call ${call.id}`);
      call.log.info({ operatorId: a.operatorId, deviceLegId: o.legId }, 'operator answered; caller and device bridged');
      call.journal.updated({ answeredAt: new Date(at) });
      call.journal.event('answered', { operatorId: a.operatorId, deviceLegId: o.legId });
      views.callChanged(call);
      return;
    }
    call.log.warn({ operatorId: a.operatorId, status: o.status, cause: o.cause }, 'dial failed; call back in the queue');
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
      roster.move(a, 'offer_failed', `no answer (${o.status} ${o.cause})`);
      roster.maybeSignOut(a);
    }
    call.operatorId = null;
    book.move(call, 'dial_failed');
    views.callChanged(call);
    this.route(call);
  }
}
