import { describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { AppError } from '../contracts/result';
import type { MobileStatus } from '../contracts/socket-events';
import { MobileVerification } from './mobile-verification';
import type { MobileStore } from './ports/cti-store';
import { ScriptedBank } from './test-support/scripted-bank';
import { until } from '../test-support/until';

const OP = 'u-op1';
const MOBILE = '+447700900123';
const LEG = 'leg-00000000000000e1';

class MemoryMobiles implements MobileStore {
  readonly rows = new Map<string, { e164: string | null; verifiedAt: Date | null }>();
  async mobileOf(userId: string) {
    return this.rows.get(userId) ?? { e164: null, verifiedAt: null };
  }
  async setMobile(userId: string, e164: string, verifiedAt: Date | null) {
    this.rows.set(userId, { e164, verifiedAt });
  }
}

/** The verification call's paths with a scripted bank (the answered-and-right-code path runs for real in test/trunks). */
function setup(confirmWithinMs = 60_000) {
  const bank = new ScriptedBank();
  const store = new MemoryMobiles();
  const pushed: MobileStatus[] = [];
  const mv = new MobileVerification({
    dial: (r) => bank.dial(r),
    release: (legId) => bank.release(legId),
    store,
    notify: (_op, s) => void pushed.push(s),
    sipDomain: 'patchbay.local',
    logger: createLogger('silent'),
    confirmWithinMs,
  });
  const last = () => pushed.at(-1);
  return { bank, store, mv, pushed, last };
}

async function answered(t: ReturnType<typeof setup>): Promise<string> {
  const started = await t.mv.start(OP, MOBILE);
  expect(started).toMatchObject({ call: 'calling', verified: false, e164Masked: expect.any(String) });
  expect(t.bank.dials[0]!.req).toEqual({ deviceUri: `sip:${MOBILE}@patchbay.local;user=phone`, bridgeTo: null, ringTimeoutSec: 30 });
  t.bank.dials[0]!.answer(LEG);
  await until(() => t.last()?.call === 'answered', 2000, 'answered pushed');
  return started.code!;
}

describe('MobileVerification', () => {
  it('the right code verifies the number and releases the call', async () => {
    const t = setup();
    const code = await answered(t);
    for (const d of code) expect(t.mv.dtmf(LEG, d)).toBe(true);
    await until(() => t.last()?.verified === true, 2000, 'verified pushed');
    expect(t.last()).toMatchObject({ call: 'idle', verified: true, error: null, code: null });
    expect(t.bank.released).toEqual([LEG]);
    expect(await t.mv.verifiedNumber(OP, MOBILE)).toBe(MOBILE);
  });

  it('a wrong code fails the check and releases the call; digits on other legs are not its', async () => {
    const t = setup();
    const code = await answered(t);
    expect(t.mv.dtmf('leg-00000000000000ff', '1')).toBe(false);
    const wrong = code === '0000' ? '1111' : '0000';
    for (const d of wrong) t.mv.dtmf(LEG, d);
    await until(() => t.last()?.call === 'failed', 2000, 'failed pushed');
    expect(t.last()).toMatchObject({ verified: false, error: 'the code typed did not match', code: null });
    expect(t.bank.released).toEqual([LEG]);
    await expect(t.mv.verifiedNumber(OP, MOBILE)).rejects.toBeInstanceOf(AppError);
  });

  it('a hang-up before the code fails the check without releasing a leg that is gone', async () => {
    const t = setup();
    await answered(t);
    expect(t.mv.legEnded(LEG)).toBe(true);
    await until(() => t.last()?.call === 'failed', 2000, 'failed pushed');
    expect(t.last()?.error).toBe('the call ended before the code was typed');
    expect(t.bank.released).toEqual([]);
    expect(t.mv.legEnded(LEG)).toBe(false);
  });

  it('no code in time fails the check and releases the call', async () => {
    const t = setup(30);
    await answered(t);
    await until(() => t.last()?.call === 'failed', 2000, 'timed out');
    expect(t.last()?.error).toBe('the code was not typed in time');
    expect(t.bank.released).toEqual([LEG]);
  });

  it('one verification call at a time; after a failed dial the operator may try again', async () => {
    const t = setup();
    await t.mv.start(OP, MOBILE);
    await expect(t.mv.start(OP, MOBILE)).rejects.toMatchObject({ code: 'CONFLICT' });
    t.bank.dials[0]!.fail(486, 'Busy Here');
    await until(() => t.last()?.call === 'failed', 2000, 'failed pushed');
    expect(t.last()?.error).toBe('the number was busy');
    expect(await t.mv.start(OP, MOBILE)).toMatchObject({ call: 'calling', error: null });
    expect(t.bank.dials).toHaveLength(2);
  });

  it('stop() cancels a ringing check and releases an answered one', async () => {
    const t = setup();
    await answered(t);
    await t.mv.start('u-op2', '+447700900124');
    t.mv.stop();
    expect(t.bank.dials[1]!.cancelled).toBe(true);
    expect(t.bank.released).toEqual([LEG]);
  });
});
