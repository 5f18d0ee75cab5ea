import { describe, expect, it } from 'vitest';
import { admission } from './queue-limit';

describe('queue-size limit', () => {
  it('admits every caller when the queue has no limit', () => {
    expect(admission(null, 0)).toEqual({ admit: true });
    expect(admission(null, 100_000)).toEqual({ admit: true });
  });

  it('admits while fewer than the limit wait, and refuses at the limit and beyond', () => {
    expect(admission(3, 0)).toEqual({ admit: true });
    expect(admission(3, 2)).toEqual({ admit: true });
    expect(admission(3, 3)).toEqual({ admit: false, waiting: 3, maxCallers: 3 });
    // a limit lowered below the callers already waiting: they stay, new ones are refused
    expect(admission(3, 7)).toEqual({ admit: false, waiting: 7, maxCallers: 3 });
  });

  it('a limit of one keeps exactly one caller waiting', () => {
    expect(admission(1, 0).admit).toBe(true);
    expect(admission(1, 1).admit).toBe(false);
  });
});
