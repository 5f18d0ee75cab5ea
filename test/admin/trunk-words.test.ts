import { describe as group, expect, it } from 'vitest';
import type { TrunkLiveStatus } from '../../server/contracts/admin/trunks';
import { describe, inWords } from '../../app/admin/trunks/trunk-words';

const NOW = 1_800_000_000_000;
const live = (registration: TrunkLiveStatus['registration']): TrunkLiveStatus => ({ id: 'tr-1', name: 'c', registration });
const on = { enabled: true, register: true };

group('a trunk’s registration state in plain words', () => {
  it('says each state as the issue asks, with its colour', () => {
    expect(describe(on, live({ state: 'registered', lastStatus: 200, expiresAt: NOW + 300_000, nextAttemptAt: NOW + 240_000, failures: 0 }), true, NOW)).toEqual({ tone: 'ok', text: 'Registered, renews in 4 min' });
    expect(describe(on, live({ state: 'failed', lastStatus: 403, expiresAt: null, nextAttemptAt: NOW + 20_000, failures: 3 }), true, NOW)).toEqual({ tone: 'bad', text: 'Failed: 403 Forbidden — retrying in 20 s' });
    expect(describe(on, live({ state: 'failed', lastStatus: 408, expiresAt: null, nextAttemptAt: NOW + 5_000, failures: 1 }), true, NOW).text).toBe('Failed: 408 no answer from the carrier — retrying in 5 s');
    expect(describe({ enabled: true, register: false }, undefined, true, NOW)).toEqual({ tone: 'idle', text: 'Registration off' });
    expect(describe({ enabled: false, register: true }, undefined, true, NOW).tone).toBe('idle');
    expect(describe(on, live({ state: 'registering', lastStatus: null, expiresAt: null, nextAttemptAt: null, failures: 0 }), true, NOW)).toEqual({ tone: 'warn', text: 'Registering…' });
    expect(describe(on, undefined, true, NOW).tone).toBe('warn');
    expect(describe(on, undefined, false, NOW).text).toBe('Checking…');
    // the portal apart from the switch (docs/deploy.md): says so, never "waiting" forever
    expect(describe(on, undefined, true, NOW, true)).toEqual({ tone: 'idle', text: 'Not shown here: the switch runs on another machine (see its log)' });
    expect(describe({ enabled: false, register: true }, undefined, true, NOW, true).text).toBe('Disabled: the switch ignores this trunk');
  });

  it('counts down in seconds, minutes, hours, never below zero', () => {
    expect([inWords(-5), inWords(59_400), inWords(90_000), inWords(7_200_000)]).toEqual(['0 s', '59 s', '2 min', '2 h']);
  });
});
