import { describe, expect, it } from 'vitest';
import { maskE164, maskNumbersInUri } from './phone';

describe('phone numbers as others may see them', () => {
  it('masks a number to its country code and last three digits', () => {
    expect(maskE164('+447700900123')).toBe('+44•••••123');
  });
  it('masks every E.164 number inside a dialled address and leaves device users alone', () => {
    expect(maskNumbersInUri('tel:+447700900123')).toBe('tel:+44•••••123');
    expect(maskNumbersInUri('sip:+15550100777@trunk.example;user=phone')).toBe('sip:+15•••••777@trunk.example;user=phone');
    expect(maskNumbersInUri('sip:dev-ab12-1765000000@patchbay.local')).toBe('sip:dev-ab12-1765000000@patchbay.local');
  });
});
