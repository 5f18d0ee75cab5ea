import { expect, it } from 'vitest';
import type { ReservationStore } from '../ports/reservation-store';

/** Two nodes sharing one store, and a way to kill one as SIGKILL would (its holds must lapse). */
export interface TwoNodes {
  a: ReservationStore;
  b: ReservationStore;
  /** the node's heartbeat stops; resolves once its holds no longer count */
  kill(node: ReservationStore): Promise<void>;
  close(): Promise<void>;
}

/** The port's contract (ports/reservation-store.ts), the same for every adapter. */
export function reservationContract(make: () => Promise<TwoNodes>): void {
  const withNodes = (fn: (n: TwoNodes) => Promise<void>) => async () => {
    const n = await make();
    try {
      await fn(n);
    } finally {
      await n.close();
    }
  };

  it('a held operator cannot be reserved by the other node until released', withNodes(async ({ a, b }) => {
    expect(await a.reserve([{ operatorId: 'op1', callId: 'c1' }])).toEqual([true]);
    expect(await b.reserve([{ operatorId: 'op1', callId: 'c2' }])).toEqual([false]);
    expect(await a.holder('op1')).toEqual({ nodeId: a.nodeId, callId: 'c1' });
    await b.release('op1'); // not b's: nothing happens
    expect(await b.reserve([{ operatorId: 'op1', callId: 'c2' }])).toEqual([false]);
    await a.release('op1');
    expect(await a.holder('op1')).toBeNull();
    expect(await b.reserve([{ operatorId: 'op1', callId: 'c2' }])).toEqual([true]);
    expect(await b.holder('op1')).toEqual({ nodeId: b.nodeId, callId: 'c2' });
  }));

  it('a batch answers per operator, in order; a node re-reserving its own operator succeeds', withNodes(async ({ a, b }) => {
    expect(await b.reserve([{ operatorId: 'op2', callId: 'x' }])).toEqual([true]);
    const got = await a.reserve([
      { operatorId: 'op1', callId: 'c1' },
      { operatorId: 'op2', callId: 'c1' },
      { operatorId: 'op3', callId: 'c1' },
    ]);
    expect(got).toEqual([true, false, true]);
    // its own roster says op1 is Ready again (a release was lost): its own hold does not block it
    expect(await a.reserve([{ operatorId: 'op1', callId: 'c9' }])).toEqual([true]);
    expect(await a.holder('op1')).toEqual({ nodeId: a.nodeId, callId: 'c9' });
  }));

  it('take holds the operator whoever held them', withNodes(async ({ a, b }) => {
    await a.reserve([{ operatorId: 'op1', callId: 'c1' }]);
    await b.take('op1', 'recovered');
    expect(await a.holder('op1')).toEqual({ nodeId: b.nodeId, callId: 'recovered' });
    expect(await a.reserve([{ operatorId: 'op1', callId: 'c2' }])).toEqual([false]);
  }));

  it('a dead node’s holds lapse; a closed node’s go at once and it reserves nothing more', withNodes(async (n) => {
    await n.a.reserve([{ operatorId: 'op1', callId: 'c1' }]);
    await n.b.reserve([{ operatorId: 'op2', callId: 'c2' }]);
    await n.kill(n.a);
    expect(await n.b.holder('op1')).toBeNull();
    expect(await n.b.reserve([{ operatorId: 'op1', callId: 'c3' }])).toEqual([true]);
    await n.b.close();
    expect(await n.b.reserve([{ operatorId: 'op9', callId: 'c4' }])).toEqual([false]);
  }));
}
