import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * SIP credentials the CTI issues and the ACD checks without any table of operators.
 *
 * A device user name is `dev-<16 hex random>-<expiry, unix seconds>`; its password is an
 * HMAC of the name under the secret the CTI and the ACD share. The name says nothing
 * about the operator, and the ACD can verify it (and its expiry) from the name alone.
 *
 * Bank users (`bank-<n>`) are the CTI's own user agents: the only identities allowed to
 * make the ACD dial anything or to register the route point.
 */
const DEVICE_RE = /^dev-([0-9a-f]{16})-(\d{10})$/;
const BANK_RE = /^bank-(\d{1,4})$/;

export type SipIdentity = { kind: 'device'; user: string; expiresAt: number } | { kind: 'bank'; user: string };

function mac(secret: string, purpose: string, user: string): string {
  return createHmac('sha256', secret).update(`${purpose}:${user}`).digest('base64url').slice(0, 32);
}

export interface DeviceCredentials {
  user: string;
  password: string;
  /** unix seconds */
  expiresAt: number;
}

export function issueDeviceCredentials(secret: string, ttlSec: number, nowMs: number = Date.now()): DeviceCredentials {
  const expiresAt = Math.floor(nowMs / 1000) + ttlSec;
  const user = `dev-${randomBytes(8).toString('hex')}-${expiresAt}`;
  return { user, password: mac(secret, 'device', user), expiresAt };
}

export function bankCredentials(secret: string, index: number): { user: string; password: string } {
  const user = `bank-${index}`;
  return { user, password: mac(secret, 'bank', user) };
}

/** Classifies a SIP auth user name; null when it is neither a device nor a bank user. */
export function parseSipUser(user: string): SipIdentity | null {
  const d = DEVICE_RE.exec(user);
  if (d) return { kind: 'device', user, expiresAt: Number(d[2]) };
  if (BANK_RE.test(user)) return { kind: 'bank', user };
  return null;
}

/**
 * The password the ACD expects for a user, or null when the user is unknown or expired.
 * The ACD needs the clear password to compute digest HA1 (RFC 2617/8760 MD5 digest is what
 * browsers' SIP stacks speak).
 */
export function expectedPassword(secret: string, user: string, nowMs: number = Date.now()): string | null {
  const id = parseSipUser(user);
  if (!id) return null;
  if (id.kind === 'device') {
    if (id.expiresAt * 1000 <= nowMs) return null;
    return mac(secret, 'device', user);
  }
  return mac(secret, 'bank', user);
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
