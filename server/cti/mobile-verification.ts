import { randomInt } from 'node:crypto';
import type { Logger } from '../log';
import { maskE164 } from '../contracts/phone';
import { AppError } from '../contracts/result';
import type { MobileStatus } from '../contracts/socket-events';
import { mobileCallTransition, type MobileCallEvent, type MobileCallState } from './domain/mobile-verification-state';
import type { DialHandle, DialRequest } from './ports/bank-port';
import type { MobileStore } from './ports/cti-store';

/**
 * An operator's own mobile number, verified once with a call before first use (docs/trunks.md,
 * "Mobile numbers"). The CTI shows the operator a 4-digit code and has the ACD ring the number
 * through a trunk with a dial that bridges nothing (a *number check*); the operator answers and
 * types the code on the phone's keypad; the ACD reports the digits (RFC 4733 or INFO) as INFO
 * `application/dtmf-relay` on the leg's control dialog. The right code verifies the number;
 * a wrong one, a hang-up or 60 s without it fails. Changing the number un-verifies it.
 *
 * The call's states and moves are the table in `domain/mobile-verification-state.ts`; every move
 * here goes through `mobileCallTransition()`.
 */
export interface MobileDeps {
  dial(req: DialRequest): DialHandle;
  release(legId: string): boolean;
  store: MobileStore;
  /** to that operator only */
  notify(operatorId: string, status: MobileStatus): void;
  sipDomain: string;
  logger: Logger;
  /** how long the answered call waits for the code */
  confirmWithinMs?: number;
  ringTimeoutSec?: number;
}

interface Check {
  e164: string;
  state: MobileCallState;
  error: string | null;
  dial: DialHandle;
  legId: string | null;
  timer: NodeJS.Timeout | null;
  /** the code shown in the console, typed on the phone */
  code: string;
  typed: string;
}

/** The Request-URI the bank dials for a number: the ACD sends it out through a trunk. */
export function mobileUri(e164: string, domain: string): string {
  return `sip:${e164}@${domain};user=phone`;
}

export class MobileVerification {
  /** operator id → their verification call; none = idle */
  private readonly checks = new Map<string, Check>();
  private readonly log: Logger;

  constructor(private readonly d: MobileDeps) {
    this.log = d.logger.child({ module: 'mobile-verification' });
  }

  async status(operatorId: string): Promise<MobileStatus> {
    const m = await this.d.store.mobileOf(operatorId);
    const c = this.checks.get(operatorId);
    return {
      e164Masked: m.e164 ? maskE164(m.e164) : null,
      verified: m.e164 !== null && m.verifiedAt !== null,
      call: c ? c.state : 'idle',
      error: c?.error ?? null,
      code: c && c.state !== 'failed' ? c.code : null,
    };
  }

  /** The verified number of an operator, or an AppError saying what is missing. */
  async verifiedNumber(operatorId: string, e164: string): Promise<string> {
    const m = await this.d.store.mobileOf(operatorId);
    if (m.e164 !== e164) throw new AppError('CONFLICT', 'verify this number first', { e164: 'verify this number with a call before using it' });
    if (!m.verifiedAt) throw new AppError('CONFLICT', 'this number is not verified yet', { e164: 'verify this number with a call before using it' });
    return m.e164;
  }

  async start(operatorId: string, e164: string): Promise<MobileStatus> {
    const r = mobileCallTransition(this.checks.get(operatorId)?.state ?? 'idle', 'dial');
    if (!r.ok) throw new AppError('CONFLICT', 'a verification call is already in progress');
    const m = await this.d.store.mobileOf(operatorId);
    // a new number starts unverified; the same number is verified again (verifiedAt kept until it passes)
    if (m.e164 !== e164) await this.d.store.setMobile(operatorId, e164, null);
    const log = this.log.child({ operatorId });
    const dial = this.d.dial({ deviceUri: mobileUri(e164, this.d.sipDomain), bridgeTo: null, ringTimeoutSec: this.d.ringTimeoutSec ?? 30 });
    const check: Check = { e164, state: r.next, error: null, dial, legId: null, timer: null, code: String(randomInt(0, 10_000)).padStart(4, '0'), typed: '' };
    this.checks.set(operatorId, check);
    log.info({ mobile: maskE164(e164) }, 'verification call: ringing the operator’s mobile');
    dial.on('answered', ({ legId }) => {
      if (this.checks.get(operatorId) !== check || !this.move(operatorId, check, 'answered')) return void this.d.release(legId);
      check.legId = legId;
      check.timer = setTimeout(() => this.fail(operatorId, check, 'timed_out', 'the code was not typed in time'), this.d.confirmWithinMs ?? 60_000);
      log.info({ legId }, 'verification call answered; waiting for the code');
      this.push(operatorId);
    });
    dial.on('failed', ({ status, cause }) => {
      if (this.checks.get(operatorId) !== check) return;
      this.fail(operatorId, check, 'dial_failed', failureText(status, cause));
    });
    return this.status(operatorId);
  }

  /** A digit pressed on a leg: true when it belonged to a verification call. */
  dtmf(legId: string, digit: string): boolean {
    for (const [op, c] of this.checks) {
      // digits count only while the answered call waits for the code
      if (c.legId !== legId || c.state !== 'answered') continue;
      c.typed += digit;
      if (c.typed.length < c.code.length) return true;
      if (c.typed === c.code) void this.verified(op, c);
      else this.fail(op, c, 'code_mismatched', 'the code typed did not match');
      return true;
    }
    return false;
  }

  /** The ACD ended a leg: true when it was a verification call (the CTI's call logic ignores it). */
  legEnded(legId: string): boolean {
    for (const [op, c] of this.checks) {
      if (c.legId !== legId) continue;
      c.legId = null; // already gone: nothing to release
      this.fail(op, c, 'leg_ended', 'the call ended before the code was typed');
      return true;
    }
    return false;
  }

  stop(): void {
    for (const c of this.checks.values()) {
      if (c.timer) clearTimeout(c.timer);
      if (c.state === 'calling') c.dial.cancel();
      if (c.legId) this.d.release(c.legId);
    }
    this.checks.clear();
  }

  /** Applies an event to a check; an illegal one is logged and refused. */
  private move(operatorId: string, c: Check, event: MobileCallEvent): boolean {
    const r = mobileCallTransition(c.state, event);
    if (!r.ok) {
      this.log.warn({ operatorId, state: c.state, event }, `refused: ${r.error.message}`);
      return false;
    }
    c.state = r.next;
    return true;
  }

  private async verified(operatorId: string, c: Check): Promise<void> {
    if (!this.move(operatorId, c, 'code_matched')) return;
    if (c.timer) clearTimeout(c.timer);
    this.checks.delete(operatorId);
    if (c.legId) this.d.release(c.legId);
    try {
      await this.d.store.setMobile(operatorId, c.e164, new Date());
      this.log.info({ operatorId, mobile: maskE164(c.e164) }, 'mobile number verified');
    } catch (err) {
      this.log.error({ err, operatorId }, 'mobile verification could not be stored');
    }
    this.push(operatorId);
  }

  private fail(operatorId: string, c: Check, event: MobileCallEvent, why: string): void {
    if (!this.move(operatorId, c, event)) return;
    if (c.timer) clearTimeout(c.timer);
    c.timer = null;
    if (c.legId) this.d.release(c.legId);
    c.legId = null;
    c.error = why;
    this.log.info({ operatorId, why }, 'verification call failed');
    this.push(operatorId);
  }

  private push(operatorId: string): void {
    this.status(operatorId).then(
      (s) => this.d.notify(operatorId, s),
      (err: unknown) => this.log.warn({ err, operatorId }, 'mobile status could not be read'),
    );
  }
}

function failureText(status: number, cause: string): string {
  if (status === 486 || status === 600) return 'the number was busy';
  if (status === 408) return 'no answer';
  if (status === 603) return 'the call was declined';
  if (status === 404) return 'no trunk can reach this number';
  if (status === 503) return 'the carrier cannot be reached';
  return `the call failed (${status || cause})`;
}
