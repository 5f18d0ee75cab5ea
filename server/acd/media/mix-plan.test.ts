import { describe, expect, it } from 'vitest';
import { hears, planMix, type MixSeatSpec } from './mix-plan';

const talk: MixSeatSpec = { mode: 'talk', whisperTo: null };
const listen: MixSeatSpec = { mode: 'listen', whisperTo: null };
const whisper = (to: number): MixSeatSpec => ({ mode: 'whisper', whisperTo: to });

/** The who-hears-whom matrix as rows of listeners: matrix[l][s] = l hears s. */
const matrix = (seats: MixSeatSpec[]) => {
  const plan = planMix(seats);
  return seats.map((_, l) => seats.map((__, s) => hears(plan, l, s)));
};

describe('mixing plan: who hears whom', () => {
  it('a three-party conference: each hears the other two, never itself', () => {
    expect(matrix([talk, talk, talk])).toEqual([
      [false, true, true],
      [true, false, true],
      [true, true, false],
    ]);
  });

  it('listen: the listener hears both parties, nobody hears it', () => {
    // caller, operator, supervisor listening
    expect(matrix([talk, talk, listen])).toEqual([
      [false, true, false],
      [true, false, false],
      [true, true, false],
    ]);
  });

  it('whisper: only the named member hears the whisperer; the whisperer hears everyone talking', () => {
    // caller, operator, supervisor whispering to the operator
    expect(matrix([talk, talk, whisper(1)])).toEqual([
      [false, true, false],
      [true, false, true],
      [true, true, false],
    ]);
  });

  it('barge is talk; switching modes is a new plan', () => {
    expect(matrix([talk, talk, talk])[0]![2]).toBe(true);
    expect(matrix([talk, talk, listen])[0]![2]).toBe(false);
  });

  it('ignores a whisper aimed at itself or at no member', () => {
    expect(matrix([talk, whisper(1), whisper(7)])).toEqual([
      [false, false, false],
      [true, false, false],
      [true, false, false],
    ]);
  });

  it('keeps the common sum to the talkers and names whose own frame is in it', () => {
    const plan = planMix([talk, listen, whisper(0), talk]);
    expect(plan.talkers).toEqual([0, 3]);
    expect(plan.inSum).toEqual([true, false, false, true]);
    expect(plan.whispersTo).toEqual([[2], [], [], []]);
  });
});
