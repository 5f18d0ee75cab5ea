import { describe, expect, it } from 'vitest';
import { CallbackLedger, MAX_CALLERS } from './callback-ledger';

const LEG = 'leg-00000000000000a1';
const CALLER = 'sip:+447700900123@carrier.invalid';

function ledger(windowSec = 600) {
  let t = 1_000_000;
  const l = new CallbackLedger(windowSec, () => t);
  return { l, pass: (sec: number) => (t += sec * 1000) };
}
const press = (l: CallbackLedger, keys: string, leg = LEG, uri = CALLER) => [...keys].forEach((k) => l.pressed(leg, uri, k));

describe('the ACD’s callback rule', () => {
  it('allows the caller’s own number and numbers keyed with # on their call, nothing else', () => {
    const { l } = ledger();
    press(l, '1');
    expect(l.check(LEG, '+447700900123')).toEqual({ ok: true });
    expect(l.check(LEG, '+447700900456')).toEqual({ ok: false, status: 403, reason: 'Not The Caller Number' });
    press(l, '447700900456#');
    expect(l.check(LEG, '+447700900456')).toEqual({ ok: true });
    press(l, '00441632960555#');
    expect(l.check(LEG, '+441632960555')).toEqual({ ok: true });
    press(l, '4477*00900999#'); // a star breaks the run: not a number keyed
    expect(l.check(LEG, '+447700900999').ok).toBe(false);
    expect(l.check(LEG, null).ok).toBe(false);
  });

  it('a caller who never pressed a key, or another caller’s leg, cannot be called back', () => {
    const { l } = ledger();
    expect(l.check(LEG, '+447700900123')).toEqual({ ok: false, status: 403, reason: 'No Such Callback Caller' });
    press(l, '1', 'leg-00000000000000b2', 'sip:+15551234567@carrier.invalid');
    expect(l.check(LEG, '+15551234567').ok).toBe(false);
  });

  it('a web caller has no own number: only a keyed one', () => {
    const { l } = ledger();
    press(l, '1', LEG, 'sip:web-caller@patchbay.local');
    expect(l.check(LEG, '+447700900123').ok).toBe(false);
  });

  it('past the window the dial is refused, saying why, and the memory is let go later', () => {
    const { l, pass } = ledger(60);
    press(l, '1');
    pass(59);
    expect(l.check(LEG, '+447700900123').ok).toBe(true);
    pass(2);
    expect(l.check(LEG, '+447700900123')).toEqual({ ok: false, status: 403, reason: 'Callback Window Passed' });
    pass(60);
    expect(l.check(LEG, '+447700900123')).toMatchObject({ reason: 'No Such Callback Caller' });
    expect(l.size).toBe(0);
  });

  it('holds a bounded number of callers (the oldest go first)', () => {
    const { l } = ledger();
    for (let i = 0; i <= MAX_CALLERS; i++) l.pressed(`leg-${i.toString(16).padStart(16, '0')}`, CALLER, '1');
    expect(l.size).toBe(MAX_CALLERS);
    expect(l.check('leg-0000000000000000', '+447700900123').ok).toBe(false);
    expect(l.check(`leg-${MAX_CALLERS.toString(16).padStart(16, '0')}`, '+447700900123').ok).toBe(true);
  });
});
