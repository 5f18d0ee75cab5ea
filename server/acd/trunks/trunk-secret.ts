import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Trunk passwords at rest: `enc:v1:<base64(iv | tag | ciphertext)>`, AES-256-GCM under a key
 * derived (HKDF-SHA256) from PATCHBAY_SECRET. A value without the prefix is a clear password
 * as an admin typed it into the table; the loader accepts both so a site can migrate.
 */
const PREFIX = 'enc:v1:';

function keyOf(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'patchbay', 'trunk-password-v1', 32));
}

export function encryptTrunkPassword(secret: string, clear: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', keyOf(secret), iv);
  const ct = Buffer.concat([c.update(clear, 'utf8'), c.final()]);
  return PREFIX + Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64');
}

/** The clear password; throws when an encrypted value does not open under this secret. */
export function decryptTrunkPassword(secret: string, stored: string): string {
  if (!stored.startsWith(PREFIX)) return stored;
  const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
  if (raw.length < 28) throw new Error('encrypted trunk password is truncated');
  const d = createDecipheriv('aes-256-gcm', keyOf(secret), raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
}
