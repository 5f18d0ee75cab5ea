/**
 * An operator's or a supervisor's console as the bench drives it: sign-in over HTTP
 * (POST /api/auth/login, the session cookie), the CTI's socket.io connection with that
 * cookie, and the acknowledged requests of server/contracts/socket-events.ts.
 */
import { io, type Socket } from 'socket.io-client';
import type { Response } from '../server/contracts/result';
import type { ClientEvents, ServerEvents } from '../server/contracts/socket-events';

export type ConsoleSocket = Socket<ServerEvents, ClientEvents>;

/** The `pb_session=…` cookie of a password sign-in. */
export async function signIn(base: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!res.ok) throw new Error(`sign-in ${email}: HTTP ${res.status}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('pb_session='));
  if (!cookie) throw new Error(`sign-in ${email}: no session cookie`);
  return cookie.split(';')[0]!;
}

/** A connected console (websocket transport, no reconnection: a lost console is a failure). */
export function connectConsole(base: string, cookie: string, timeoutMs = 20_000): Promise<ConsoleSocket> {
  const socket: ConsoleSocket = io(base, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false, timeout: timeoutMs, forceNew: true });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      socket.close();
      reject(new Error('socket.io connect timed out'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(t);
      resolve(socket);
    });
    socket.once('connect_error', (err) => {
      clearTimeout(t);
      socket.close();
      reject(err);
    });
  });
}

type AckOf<E extends keyof ClientEvents> = Parameters<ClientEvents[E]>[1] extends (r: Response<infer T>) => void ? T : never;

/** One acknowledged request; an error ack or no ack in time throws. */
export async function ask<E extends keyof ClientEvents>(socket: ConsoleSocket, event: E, payload: Parameters<ClientEvents[E]>[0], timeoutMs = 15_000): Promise<AckOf<E>> {
  // socket.io's typed emitWithAck cannot name an event through a generic key: go through a plain signature
  const timed = socket.timeout(timeoutMs) as unknown as { emitWithAck(ev: string, p: unknown): Promise<Response<AckOf<E>>> };
  const r = await timed.emitWithAck(event, payload);
  if (!r.ok) throw new Error(`${event}: ${r.error.code} ${r.error.message}`);
  return r.data;
}
