import { describe, expect, it } from 'vitest';
import { consultNote } from './consult-note';

const offer = { consultFrom: { operatorName: 'Olivia Operator' }, callerName: 'Carla Caller', callerNumber: '+442079460958' };

describe('the consulted operator’s console', () => {
  it('says who consults them about which caller, the number in plain words', () => {
    expect(consultNote(offer, null, 'u-op2')).toEqual({
      headline: 'Olivia Operator wants to talk to you about a call',
      detail: 'The call is from Carla Caller (+44 20 7946 0958). It is Olivia Operator’s call: the caller waits on hold while you two talk.',
    });
    // still A's call while they talk
    expect(consultNote(offer, { operatorId: 'u-op1', status: 'held' }, 'u-op2')?.headline).toBe('Olivia Operator wants to talk to you about a call');
  });

  it('once the transfer is completed the call is theirs', () => {
    expect(consultNote(offer, { operatorId: 'u-op2', status: 'connected' }, 'u-op2')).toEqual({ headline: 'Olivia Operator transferred the call to you', detail: 'You are now on the call with Carla Caller (+44 20 7946 0958).' });
  });

  it('a caller without a number, or a name that is only the number', () => {
    expect(consultNote({ ...offer, callerNumber: null }, null, 'u-op2')?.detail).toMatch(/^The call is from Carla Caller\. /);
    expect(consultNote({ ...offer, callerName: '', callerNumber: null }, null, 'u-op2')?.detail).toMatch(/^The call is from a caller from the website\. /);
    expect(consultNote({ ...offer, callerName: '+442079460958' }, null, 'u-op2')?.detail).toMatch(/^The call is from \+44 20 7946 0958\. /);
  });

  it('says nothing for an ordinary offer', () => {
    expect(consultNote({ ...offer, consultFrom: null }, null, 'u-op2')).toBeNull();
    expect(consultNote(null, null, 'u-op2')).toBeNull();
  });
});
