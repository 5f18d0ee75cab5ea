import { describe, expect, it } from 'vitest';
import { AgentState } from '../../contracts/agent';
import { AGENT_STATES, AGENT_TRANSITIONS, AgentEvent, NOT_READY_CAUSE, transition } from './agent-state';

/** The rules written out independently of the table, so a wrong table entry fails here. */
const LEGAL: ReadonlyArray<[AgentState, AgentEvent, AgentState]> = [
  ['offline', 'sign_in', 'not_ready'],
  ['not_ready', 'go_ready', 'ready'],
  ['not_ready', 'sign_out', 'offline'],
  ['ready', 'go_not_ready', 'not_ready'],
  ['ready', 'offer', 'reserved'],
  ['ready', 'sign_out', 'offline'],
  ['ready', 'device_lost', 'not_ready'],
  ['reserved', 'answer', 'talking'],
  ['reserved', 'offer_failed', 'not_ready'],
  ['reserved', 'offer_cancelled', 'ready'],
  ['reserved', 'device_lost', 'not_ready'],
  ['talking', 'hang_up', 'wrap_up'],
  ['wrap_up', 'wrap_up_done', 'ready'],
  ['wrap_up', 'go_ready', 'ready'],
  ['wrap_up', 'go_not_ready', 'not_ready'],
  ['wrap_up', 'sign_out', 'offline'],
  ['wrap_up', 'device_lost', 'not_ready'],
  ['wrap_up', 'extend_wrap_up', 'wrap_up'],
  // an outbound call: their own device rings first (not offered calls meanwhile)
  ['not_ready', 'dial', 'reserved'],
  ['ready', 'dial', 'reserved'],
  ['wrap_up', 'dial', 'reserved'],
];

const key = (s: string, e: string) => `${s}/${e}`;
const legal = new Map(LEGAL.map(([s, e, n]) => [key(s, e), n]));

describe('agent state machine', () => {
  it('has a row for every state of the shared enum', () => {
    expect([...AGENT_STATES].sort()).toEqual([...AgentState.options].sort());
    for (const s of AgentState.options) expect(AGENT_TRANSITIONS[s]).toBeDefined();
  });

  // Every (state, event) pair: generated from the enums, so a new state or event is covered.
  const cases = AgentState.options.flatMap((s) => AgentEvent.map((e) => [s, e] as const));
  it.each(cases)('%s + %s', (state, event) => {
    const r = transition(state, event);
    const expected = legal.get(key(state, event));
    if (expected) {
      expect(r).toEqual({ ok: true, next: expected });
    } else {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error).toMatchObject({ kind: 'illegal-transition', machine: 'agent', state, event });
        expect(r.error.message).toContain(event);
      }
    }
  });

  it('refuses sign_out while talking or reserved', () => {
    expect(transition('talking', 'sign_out').ok).toBe(false);
    expect(transition('reserved', 'sign_out').ok).toBe(false);
  });

  it('table has no transition the spec above does not list', () => {
    const count = Object.values(AGENT_TRANSITIONS).reduce((n, row) => n + Object.keys(row).length, 0);
    expect(count).toBe(LEGAL.length);
  });

  it('every event that can lead to not_ready names its cause, and no other event does', () => {
    const toNotReady = new Set(LEGAL.filter(([, , n]) => n === 'not_ready').map(([, e]) => e));
    expect(new Set(Object.keys(NOT_READY_CAUSE))).toEqual(toNotReady);
    expect(NOT_READY_CAUSE.offer_failed).toBe('missed');
  });
});
