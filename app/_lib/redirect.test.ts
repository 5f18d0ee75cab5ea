import { describe, expect, it } from 'vitest';
import { destinationAfterLogin } from './redirect';

describe('destinationAfterLogin', () => {
  it('goes to the role home without a usable next', () => {
    expect(destinationAfterLogin(null, 'OPERATOR')).toBe('/console');
    expect(destinationAfterLogin(null, 'SUPERVISOR')).toBe('/admin');
    expect(destinationAfterLogin('', 'ADMIN')).toBe('/admin');
  });

  it('refuses off-site targets (open redirect)', () => {
    for (const bad of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', 'console']) {
      expect(destinationAfterLogin(bad, 'OPERATOR')).toBe('/console');
    }
  });

  it('follows next when the role may open it, else goes home', () => {
    expect(destinationAfterLogin('/console?tab=1', 'OPERATOR')).toBe('/console?tab=1');
    expect(destinationAfterLogin('/admin/calls/c-1', 'SUPERVISOR')).toBe('/admin/calls/c-1');
    expect(destinationAfterLogin('/admin', 'OPERATOR')).toBe('/console');
    expect(destinationAfterLogin('/console', 'ADMIN')).toBe('/admin');
    expect(destinationAfterLogin('/call', 'ADMIN')).toBe('/call');
    // a prefix is a path segment, not a string prefix
    expect(destinationAfterLogin('/administrator', 'OPERATOR')).toBe('/administrator');
  });
});
