import type { RTCSession } from 'jssip/lib/RTCSession';
import type { Logger } from '../../log';
import { TypedEmitter } from '../../shared/typed-emitter';
import type { DialHandle, DialHandleEvents, DialOutcome } from '../ports/bank-port';
import { dialFailureIndex } from './dial-failures';

/** Ends a JsSIP session unless it already ended; JsSIP throws on a session in the wrong state. */
export function safeTerminate(session: RTCSession, log: Logger, opts?: { status_code?: number; reason_phrase?: string }): void {
  if (session.isEnded()) return;
  try {
    session.terminate(opts);
  } catch (err) {
    log.warn({ err }, 'terminate failed');
  }
}

/**
 * One dial as the CTI sees it (BankPort's DialHandle): `ringing` at most once, then exactly one
 * outcome — answered with the device leg, or failed with the ACD's status (counted by cause for
 * /metrics); `cancel` before the outcome ends the dial with 487.
 */
export class DialHandleImpl implements DialHandle {
  readonly outcome: Promise<DialOutcome>;
  private resolve!: (o: DialOutcome) => void;
  private readonly emitter: TypedEmitter<DialHandleEvents>;
  private session: RTCSession | null = null;
  private settled = false;
  private rang = false;

  constructor(
    private readonly log: Logger,
    private readonly failures: number[],
  ) {
    this.outcome = new Promise((r) => (this.resolve = r));
    this.emitter = new TypedEmitter<DialHandleEvents>((err, event) => log.error({ err, event }, 'dial listener threw'));
  }

  on<K extends keyof DialHandleEvents>(event: K, listener: (payload: DialHandleEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  attach(session: RTCSession): void {
    this.session = session;
  }

  ringing(): void {
    if (this.settled || this.rang) return;
    this.rang = true;
    this.log.debug('dial: device ringing');
    this.emitter.emit('ringing');
  }

  settle(o: DialOutcome): void {
    if (this.settled) return;
    this.settled = true;
    if (o.kind === 'answered') {
      this.log.debug({ deviceLegId: o.legId }, 'dial: device answered, bridged');
      this.emitter.emit('answered', { legId: o.legId });
    } else {
      this.log.info({ status: o.status, cause: o.cause }, 'dial: failed');
      this.failures[dialFailureIndex(o.status)]! += 1;
      this.emitter.emit('failed', { status: o.status, cause: o.cause });
    }
    this.resolve(o);
    // Settle before listeners may be added late: defer cleanup so `on()` after settle is harmless.
    setImmediate(() => this.emitter.clear());
  }

  cancel(): void {
    if (this.settled) return;
    if (this.session) safeTerminate(this.session, this.log, { status_code: 487 });
    this.settle({ kind: 'failed', status: 487, cause: 'Canceled' });
  }
}
