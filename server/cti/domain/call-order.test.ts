import { describe, expect, it } from 'vitest';
import { orderWaiting, type OrderedCall } from './call-order';

const call = (id: string, arrivedAt: number, extra: Partial<OrderedCall> = {}): OrderedCall => ({ id, arrivedAt, priority: 0, queuePriority: 5, ageingSec: 60, ...extra });
const ids = (cs: OrderedCall[], now = 100_000) => orderWaiting([...cs], now).map((c) => c.id);

describe('waiting order', () => {
  it('serves arrival order among equals, priority first, and ageing levels them again', () => {
    expect(ids([call('b', 2000), call('a', 1000)])).toEqual(['a', 'b']);
    expect(ids([call('old', 1000), call('vip', 90_000, { priority: 2 })])).toEqual(['vip', 'old']);
    // three minutes later the old call has gained three steps: ahead again
    expect(ids([call('old', 1000), call('vip', 90_000, { priority: 2 })], 181_000 + 60_000)).toEqual(['old', 'vip']);
  });

  it('puts a call whose operator was lost mid-call before the rest of its queue, whatever their priority or wait', () => {
    const lost = call('lost', 50_000, { first: true });
    expect(ids([call('older', 1000), call('vip', 40_000, { priority: 9 }), lost])).toEqual(['lost', 'vip', 'older']);
    // a higher-priority queue still comes first for an operator in both
    expect(ids([lost, call('other-queue', 60_000, { queuePriority: 8 })])).toEqual(['other-queue', 'lost']);
    // two such calls: arrival order between them
    expect(ids([call('second', 70_000, { first: true }), lost])).toEqual(['lost', 'second']);
  });
});
