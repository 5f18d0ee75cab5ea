import { describe, expect, it } from 'vitest';
import { CallStatus } from '../../contracts/call';
import { CallControl, controlRefusal, MIC_TRANSITIONS, MicEvent, MicState, micTransition } from './call-controls';

describe('the operator’s microphone machine', () => {
  const legal = new Map([
    ['open/mute', 'muted'],
    ['muted/unmute', 'open'],
  ]);
  const cases = MicState.flatMap((s) => MicEvent.map((e) => [s, e] as const));
  it.each(cases)('%s + %s', (state, event) => {
    const expected = legal.get(`${state}/${event}`);
    const r = micTransition(state, event);
    if (expected) expect(r).toEqual({ ok: true, next: expected });
    else expect(r).toMatchObject({ ok: false, error: { machine: 'mic', state, event } });
  });
  it('lists nothing extra', () => {
    expect(Object.values(MIC_TRANSITIONS).reduce((n, row) => n + Object.keys(row).length, 0)).toBe(legal.size);
  });
});

describe('which control applies to a call (every status × microphone × control)', () => {
  // null = allowed; otherwise the words the console shows
  const expected = (status: CallStatus, mic: MicState, control: CallControl): string | null => {
    if (status === 'ended') return 'This call has ended.';
    if (status !== 'connected' && status !== 'held') return 'The call has not been answered yet.';
    if (control === 'hold') return status === 'held' ? 'The call is already on hold.' : null;
    if (control === 'resume') return status === 'held' ? null : 'The call is not on hold.';
    if (control === 'mute') return mic === 'muted' ? 'You are already muted.' : null;
    if (control === 'unmute') return mic === 'open' ? 'You are not muted.' : null;
    if (control === 'dtmf') return status === 'held' ? 'Take the call off hold to use the keypad.' : null;
    return null; // transfer, from connected or held
  };
  const cases = CallStatus.options.flatMap((s) => MicState.flatMap((m) => CallControl.map((c) => [s, m, c] as const)));
  it.each(cases)('%s, mic %s: %s', (status, mic, control) => {
    expect(controlRefusal({ status, mic }, control)).toBe(expected(status, mic, control));
  });
});
