import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id (OWASP's first choice) through @node-rs/argon2: a maintained binding that ships
 * prebuilt binaries on npm, so no compiler or download is needed at install.
 */
export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: 2 /* Argon2id; the enum is a const enum that isolatedModules forbids */ });
}

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false; // a malformed stored hash is a failed sign-in, not a crash
  }
}

/** A fixed hash to verify against when the user does not exist, so timing does not reveal it. */
let dummy: Promise<string> | null = null;
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword('patchbay-timing-equaliser'));
}
