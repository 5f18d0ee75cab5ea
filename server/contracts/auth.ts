import type { Role } from './agent';

/** A signed-in user as every edge (HTTP routes, socket events) sees them. */
export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** Resolves the session cookie of a request (HTTP or socket.io handshake) to its user. */
export interface SessionResolver {
  resolve(cookieHeader: string | undefined): Promise<AuthUser | null>;
}

export const SESSION_COOKIE = 'pb_session';
