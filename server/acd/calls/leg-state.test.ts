import { describe, expect, it } from 'vitest';
import { CONTROL_TRANSITIONS, ControlState, INITIAL_STATE, LegEvent, LegKind, LegState, PARTY_TRANSITIONS, legTransition, type ControlEvent, type PartyEvent } from './leg-state';

/** The rules written out independently of the tables, so a wrong table entry fails here. */
const PARTY_LEGAL: ReadonlyArray<[LegKind, LegState, PartyEvent | 'close', LegState]> = [
  ['caller', 'answering', 'confirm', 'parked'],
  ['caller', 'answering', 'close', 'ended'],
  ['caller', 'parked', 'bridge', 'bridged'],
  ['caller', 'parked', 'mix', 'mixed'],
  ['caller', 'parked', 'close', 'ended'],
  ['caller', 'bridged', 'unbridge', 'parked'],
  ['caller', 'bridged', 'hold', 'held'],
  ['caller', 'bridged', 'bridge', 'bridged'],
  ['caller', 'bridged', 'mix', 'mixed'],
  ['caller', 'bridged', 'close', 'ended'],
  ['caller', 'held', 'resume', 'bridged'],
  ['caller', 'held', 'bridge', 'bridged'],
  ['caller', 'held', 'mix', 'mixed'],
  ['caller', 'held', 'close', 'ended'],
  ['caller', 'mixed', 'unmix', 'parked'],
  ['caller', 'mixed', 'bridge', 'bridged'],
  ['caller', 'mixed', 'close', 'ended'],
  ['device', 'ringing', 'bridge', 'bridged'],
  ['device', 'ringing', 'answer_alone', 'waiting'],
  ['device', 'ringing', 'mix', 'mixed'],
  ['device', 'ringing', 'close', 'ended'],
  ['device', 'bridged', 'unbridge', 'waiting'],
  ['device', 'bridged', 'hold', 'held'],
  ['device', 'bridged', 'bridge', 'bridged'],
  ['device', 'bridged', 'mix', 'mixed'],
  ['device', 'bridged', 'close', 'ended'],
  ['device', 'waiting', 'bridge', 'bridged'],
  ['device', 'waiting', 'mix', 'mixed'],
  ['device', 'waiting', 'close', 'ended'],
  ['device', 'held', 'resume', 'bridged'],
  ['device', 'held', 'bridge', 'bridged'],
  ['device', 'held', 'mix', 'mixed'],
  ['device', 'held', 'close', 'ended'],
  ['device', 'mixed', 'unmix', 'waiting'],
  ['device', 'mixed', 'bridge', 'bridged'],
  ['device', 'mixed', 'close', 'ended'],
];
const CONTROL_LEGAL: ReadonlyArray<[ControlState, ControlEvent | 'close', ControlState]> = [
  ['none', 'offer', 'offering'],
  ['none', 'connect', 'up'],
  ['none', 'close', 'ended'],
  ['offering', 'offer_failed', 'none'],
  ['offering', 'connect', 'up'],
  ['offering', 'close', 'ended'],
  ['up', 'close', 'ended'],
];

const party = new Map(PARTY_LEGAL.map(([k, s, e, n]) => [`${k}/${s}/${e}`, n]));
const control = new Map(CONTROL_LEGAL.map(([s, e, n]) => [`${s}/${e}`, n]));
const isControl = (e: LegEvent): boolean => e === 'offer' || e === 'offer_failed' || e === 'connect';

describe('leg state machine', () => {
  it('starts callers answering and devices ringing', () => {
    expect(INITIAL_STATE).toEqual({ caller: 'answering', device: 'ringing' });
  });

  // Every (kind, state, control, event): generated from the enums, so a new state or event is covered.
  const cases = LegKind.flatMap((k) => LegState.flatMap((s) => ControlState.flatMap((c) => LegEvent.map((e) => [k, s, c, e] as const))));
  it.each(cases)('%s %s/%s + %s', (kind, state, ctl, event) => {
    const r = legTransition(kind, { state, control: ctl }, event);
    const nextParty = isControl(event) ? state : party.get(`${kind}/${state}/${event}`);
    const nextControl = event === 'close' || isControl(event) ? control.get(`${ctl}/${event}`) : ctl;
    // a party event is judged by the party side alone (the control sub-state is untouched), and vice versa
    const legal = nextParty !== undefined && nextControl !== undefined && (isControl(event) || PARTY_TRANSITIONS[kind][state] !== undefined);
    if (legal) {
      expect(r).toEqual({ ok: true, next: { state: nextParty, control: nextControl } });
    } else {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ kind: 'illegal-transition', machine: 'leg', legKind: kind, state, control: ctl, event });
    }
  });

  it('ends both sides on close and refuses a second close', () => {
    const once = legTransition('caller', { state: 'parked', control: 'up' }, 'close');
    expect(once).toEqual({ ok: true, next: { state: 'ended', control: 'ended' } });
    expect(legTransition('caller', { state: 'ended', control: 'ended' }, 'close').ok).toBe(false);
  });

  it('tables have no transition the rules above do not list', () => {
    const partyCount = LegKind.reduce((n, k) => n + Object.values(PARTY_TRANSITIONS[k]).reduce((m, row) => m + Object.keys(row ?? {}).length, 0), 0);
    expect(partyCount).toBe(PARTY_LEGAL.length);
    const controlCount = Object.values(CONTROL_TRANSITIONS).reduce((n, row) => n + Object.keys(row).length, 0);
    expect(controlCount).toBe(CONTROL_LEGAL.length);
  });
});
