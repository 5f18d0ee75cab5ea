import { describe, expect, it } from 'vitest';
import { phoneRingingText } from './phone-ringing-text';

describe('the console while a phone device rings', () => {
  it('asks for the 1 only when the offer needs it, in plain words', () => {
    expect(phoneRingingText({ pressOne: true })).toBe('Answer on your phone and press 1 to take the call');
    expect(phoneRingingText({ pressOne: false })).toBe('Your phone is ringing');
    expect(phoneRingingText(null)).toBe('Your phone is ringing');
  });
});
