import { describe, expect, it } from 'vitest';
import { MASKED } from '../contracts/admin/audit';
import { maskSecrets } from './audit-recorder';

describe('maskSecrets', () => {
  it('masks values under secret-looking keys at any depth, keeps flags and absent values', () => {
    const at = new Date('2026-12-01T08:00:00Z');
    expect(
      maskSecrets({
        name: 'Trunk A',
        password: 'hunter2',
        passwordHash: '$argon2id$…',
        mustChangePassword: true,
        nested: [{ secret: 's', token: null, apiToken: 'abc', port: 5060 }],
        at,
        big: 10n,
      }),
    ).toEqual({
      name: 'Trunk A',
      password: MASKED,
      passwordHash: MASKED,
      mustChangePassword: true,
      nested: [{ secret: MASKED, token: null, apiToken: MASKED, port: 5060 }],
      at: '2026-12-01T08:00:00.000Z',
      big: '10',
    });
  });
});
