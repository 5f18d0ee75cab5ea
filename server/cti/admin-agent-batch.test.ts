import { describe, expect, it } from 'vitest';
import type { AgentView } from '../contracts/socket-events';
import { AdminAgentBatch } from './admin-agent-batch';

const view = (operatorId: string, state: AgentView['state']) => ({ operatorId, state, since: 1 }) as AgentView;
const turn = () => new Promise((r) => setImmediate(r));

describe('admin agent batch', () => {
  it('sends each turn’s changes as one message, each operator’s latest view, in order of their last change', async () => {
    const sent: Array<Array<[string, string]>> = [];
    const b = new AdminAgentBatch((vs) => sent.push(vs.map((v) => [v.operatorId, v.state])));
    b.add(view('a', 'ready'));
    b.add(view('b', 'ready'));
    b.add(view('a', 'reserved'));
    expect(sent).toEqual([]);
    await turn();
    expect(sent).toEqual([[['b', 'ready'], ['a', 'reserved']]]);
    await turn();
    expect(sent).toHaveLength(1);
    // 2,000 at once: batches of at most 50, the first sent before the turn ends
    for (let i = 0; i < 2000; i++) b.add(view(`op-${i}`, 'not_ready'));
    expect(sent).toHaveLength(41);
    await turn();
    expect(sent).toHaveLength(41);
    expect(sent.slice(1).map((x) => x.length)).toEqual(Array(40).fill(50));
    expect(new Set(sent.slice(1).flat().map(([id]) => id)).size).toBe(2000);
  });

  it('flush() sends at once, and the scheduled turn then sends nothing twice', async () => {
    const sent: number[] = [];
    const b = new AdminAgentBatch((vs) => sent.push(vs.length));
    b.add(view('a', 'ready'));
    b.flush();
    await turn();
    expect(sent).toEqual([1]);
  });
});
