import { io, type Socket } from 'socket.io-client';
import type { Response } from '@/server/contracts/result';
import type { ClientEventName, ClientEvents, ReplyOf, RequestOf, ServerEvents } from '@/server/contracts/socket-events';

/** The browser's end of the CTI socket (same origin, the session cookie authenticates it). */
export type CtiSocket = Socket<ServerEvents, ClientEvents>;

/** How long an event may wait for its ack before it counts as unanswered. */
export const ASK_TIMEOUT_MS = 10_000;

/**
 * Opens the socket without connecting: the caller connects once its listeners are on, so no
 * event sent right after the handshake (the operator's state) can be missed.
 */
export function openCtiSocket(): CtiSocket {
  return io({ withCredentials: true, autoConnect: false });
}

type Send<E extends ClientEventName> = (socket: CtiSocket, payload: RequestOf<E>, timeoutMs: number) => Promise<Response<ReplyOf<E>>>;

/**
 * One line per event: socket.io's own types resolve an event's ack only for a literal event
 * name, not for a generic one, so `ask<E>()` picks its event's sender here (the compiler
 * insists that every event of the contract has one).
 */
const SEND: { [E in ClientEventName]: Send<E> } = {
  'agent:device': (s, p, ms) => s.timeout(ms).emitWithAck('agent:device', p),
  'agent:mobile-verify': (s, p, ms) => s.timeout(ms).emitWithAck('agent:mobile-verify', p),
  'agent:mobile-status': (s, p, ms) => s.timeout(ms).emitWithAck('agent:mobile-status', p),
  'agent:ready': (s, p, ms) => s.timeout(ms).emitWithAck('agent:ready', p),
  'agent:not-ready': (s, p, ms) => s.timeout(ms).emitWithAck('agent:not-ready', p),
  'agent:codes': (s, p, ms) => s.timeout(ms).emitWithAck('agent:codes', p),
  'agent:wrap-up-extend': (s, p, ms) => s.timeout(ms).emitWithAck('agent:wrap-up-extend', p),
  'agent:line': (s, p, ms) => s.timeout(ms).emitWithAck('agent:line', p),
  'call:notes': (s, p, ms) => s.timeout(ms).emitWithAck('call:notes', p),
  'call:history': (s, p, ms) => s.timeout(ms).emitWithAck('call:history', p),
  'call:record': (s, p, ms) => s.timeout(ms).emitWithAck('call:record', p),
  'call:hold': (s, p, ms) => s.timeout(ms).emitWithAck('call:hold', p),
  'call:resume': (s, p, ms) => s.timeout(ms).emitWithAck('call:resume', p),
  'call:mute': (s, p, ms) => s.timeout(ms).emitWithAck('call:mute', p),
  'call:unmute': (s, p, ms) => s.timeout(ms).emitWithAck('call:unmute', p),
  'call:dtmf': (s, p, ms) => s.timeout(ms).emitWithAck('call:dtmf', p),
  'call:transfer-targets': (s, p, ms) => s.timeout(ms).emitWithAck('call:transfer-targets', p),
  'call:transfer': (s, p, ms) => s.timeout(ms).emitWithAck('call:transfer', p),
  'call:consult': (s, p, ms) => s.timeout(ms).emitWithAck('call:consult', p),
  'call:consult-swap': (s, p, ms) => s.timeout(ms).emitWithAck('call:consult-swap', p),
  'call:consult-complete': (s, p, ms) => s.timeout(ms).emitWithAck('call:consult-complete', p),
  'call:consult-cancel': (s, p, ms) => s.timeout(ms).emitWithAck('call:consult-cancel', p),
  'call:conference': (s, p, ms) => s.timeout(ms).emitWithAck('call:conference', p),
  'call:dial': (s, p, ms) => s.timeout(ms).emitWithAck('call:dial', p),
  'admin:subscribe': (s, p, ms) => s.timeout(ms).emitWithAck('admin:subscribe', p),
  'wallboard:subscribe': (s, p, ms) => s.timeout(ms).emitWithAck('wallboard:subscribe', p),
  'history:subscribe': (s, p, ms) => s.timeout(ms).emitWithAck('history:subscribe', p),
  'monitor:device': (s, p, ms) => s.timeout(ms).emitWithAck('monitor:device', p),
  'monitor:mobile-verify': (s, p, ms) => s.timeout(ms).emitWithAck('monitor:mobile-verify', p),
  'monitor:mobile-status': (s, p, ms) => s.timeout(ms).emitWithAck('monitor:mobile-status', p),
  'monitor:start': (s, p, ms) => s.timeout(ms).emitWithAck('monitor:start', p),
  'monitor:mode': (s, p, ms) => s.timeout(ms).emitWithAck('monitor:mode', p),
  'monitor:stop': (s, p, ms) => s.timeout(ms).emitWithAck('monitor:stop', p),
  'supervisor:not-ready': (s, p, ms) => s.timeout(ms).emitWithAck('supervisor:not-ready', p),
  'supervisor:sign-out': (s, p, ms) => s.timeout(ms).emitWithAck('supervisor:sign-out', p),
};

/**
 * The one way pages send a client event: typed from the contract map, and always settling as a
 * `Response` — not connected, or no ack within the timeout, become an UNAVAILABLE error.
 */
export async function ask<E extends ClientEventName>(socket: CtiSocket | null, event: E, payload: RequestOf<E>, timeoutMs = ASK_TIMEOUT_MS): Promise<Response<ReplyOf<E>>> {
  if (!socket?.connected) return { ok: false, error: { code: 'UNAVAILABLE', message: 'Not connected to the server.' } };
  try {
    const send: Send<E> = SEND[event];
    return await send(socket, payload, timeoutMs);
  } catch {
    return { ok: false, error: { code: 'UNAVAILABLE', message: 'The server did not answer. Try again.' } };
  }
}
