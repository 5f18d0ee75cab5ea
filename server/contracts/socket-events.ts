import { z } from 'zod';
import { AgentState, DeviceKind, type Role } from './agent';
import type { CallStatus, EndedBy } from './call';
import type { Response } from './result';
const E164Pattern = /^\+[1-9]\d{6,14}$/;

/**
 * Every socket.io event between the web and the CTI, typed on both ends
 * (socket.io's `Server<ClientEvents, ServerEvents>` / `Socket<ServerEvents, ClientEvents>`).
 * Payloads from clients are parsed with the schemas here before anything else happens;
 * a payload that fails gets an error ack with code BAD_REQUEST.
 */

// ---- client → server payloads
/** The operator's own mobile number as typed in the console: spaces, dots and dashes are dropped (not brackets: "+44 (0)7700…" would dial a wrong number). */
export const MobileNumber = z
  .string({ error: 'enter your mobile number' })
  .transform((v) => v.replace(/[\s.-]/g, ''))
  .pipe(z.string().regex(E164Pattern, 'enter the number in international form, e.g. +447700900123'));
export const DeviceRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal(DeviceKind.enum.browser) }).strict(),
  /** the verified mobile number to ring (must equal the stored, verified one) */
  z.object({ kind: z.literal(DeviceKind.enum.mobile), e164: MobileNumber }).strict(),
]);
export type DeviceRequest = z.infer<typeof DeviceRequest>;
/** operator: store this number and ring it once to verify it */
export const MobileVerifyRequest = z.object({ e164: MobileNumber }).strict();
export const MobileStatusRequest = z.object({}).strict();
export const ReadyRequest = z.object({}).strict();
export const NotReadyRequest = z.object({ reason: z.string().trim().min(1).max(64).optional() }).strict();
export const SubscribeRequest = z.object({}).strict();

// ---- data sent to clients
export type DeviceGrant = BrowserGrant | MobileGrant;

export interface MobileGrant {
  kind: 'mobile';
  /** +44•••••123 — the full number never leaves the server after it was typed */
  e164Masked: string;
}

/** The operator's own mobile and its verification (only ever sent to that operator). */
export interface MobileStatus {
  /** masked, or null when none is stored */
  e164Masked: string | null;
  verified: boolean;
  /**
   * the verification call: `calling` (ringing the number), `answered` (waiting for the code typed on the phone),
   * `failed` (with `error`), `idle` (no call)
   */
  call: 'idle' | 'calling' | 'answered' | 'failed';
  error: string | null;
  /** the 4-digit code to type on the phone during the verification call (null when none is running) */
  code: string | null;
}

export interface BrowserGrant {
  kind: 'browser';
  sipUser: string;
  sipPassword: string;
  /** SIP URI the device registers as */
  aor: string;
  /** WebSocket URL of the ACD */
  wsUrl: string;
  /** unix seconds */
  expiresAt: number;
}

export interface AgentView {
  operatorId: string;
  name: string;
  state: AgentState;
  /** ms since epoch of the last state change */
  since: number;
  device: DeviceKind | null;
  callId: string | null;
}

// the call's words live in ./call (one vocabulary); re-exported so the socket contract reads whole
export { CallStatus, EndedBy } from './call';

export interface CallView {
  callId: string;
  status: CallStatus;
  callerName: string;
  callerUri: string;
  dialed: string;
  queue: string | null;
  operatorId: string | null;
  operatorName: string | null;
  /** ms since epoch */
  arrivedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  endedBy: EndedBy | null;
}

export interface CallOffer {
  callId: string;
  callerName: string;
  callerUri: string;
  dialed: string;
  queue: string | null;
  arrivedAt: number;
}

export interface AdminSnapshot {
  agents: AgentView[];
  calls: CallView[];
}

type Ack<T> = (res: Response<T>) => void;

/**
 * Type-only marker for the data an event's ack carries: acks are built by the server from its
 * own types (no schema to parse against), so the map carries just their type.
 */
declare const REPLY: unique symbol;
export interface Reply<T> {
  readonly [REPLY]?: T;
}
const reply = <T>(): Reply<T> => ({});

/** The names of every client → server event (a runtime list, for loops and the authorisation matrix). */
export const ClientEventName = z.enum(['agent:device', 'agent:mobile-verify', 'agent:mobile-status', 'agent:ready', 'agent:not-ready', 'admin:subscribe']);
export type ClientEventName = z.infer<typeof ClientEventName>;

export interface ClientEventContract {
  /** who may send it; anyone else gets FORBIDDEN before the payload is looked at */
  roles: readonly Role[];
  /** the payload schema; a payload that fails it gets BAD_REQUEST */
  request: z.ZodType;
  reply: Reply<unknown>;
}

const OPERATOR = ['OPERATOR'] as const satisfies readonly Role[];
const SUPERVISORS = ['ADMIN', 'SUPERVISOR'] as const satisfies readonly Role[];

/**
 * THE contract of every client → server event: who may send it, its payload schema and the
 * type of its ack. The server's handlers, the browser's `ask()` and the role table are all
 * derived from this one map.
 */
const contracts = {
  /** operator: choose a device; the CTI issues SIP credentials for it */
  'agent:device': { roles: OPERATOR, request: DeviceRequest, reply: reply<DeviceGrant>() },
  /** operator: store a mobile number and ring it once (verification call) */
  'agent:mobile-verify': { roles: OPERATOR, request: MobileVerifyRequest, reply: reply<MobileStatus>() },
  'agent:mobile-status': { roles: OPERATOR, request: MobileStatusRequest, reply: reply<MobileStatus>() },
  'agent:ready': { roles: OPERATOR, request: ReadyRequest, reply: reply<AgentView>() },
  'agent:not-ready': { roles: OPERATOR, request: NotReadyRequest, reply: reply<AgentView>() },
  /** admin, supervisor: join the live view */
  'admin:subscribe': { roles: SUPERVISORS, request: SubscribeRequest, reply: reply<AdminSnapshot>() },
} as const satisfies { [E in ClientEventName]: ClientEventContract };

type Contract<E extends ClientEventName> = (typeof contracts)[E];
/** What a client sends (before the schema's transforms). */
export type RequestOf<E extends ClientEventName> = z.input<Contract<E>['request']>;
/** What a handler receives (after the schema's transforms). */
export type ParsedRequestOf<E extends ClientEventName> = z.output<Contract<E>['request']>;
/** The data of a successful ack. */
export type ReplyOf<E extends ClientEventName> = Contract<E>['reply'] extends Reply<infer T> ? T : never;

/**
 * The same map, typed per event so that code generic in the event (`on<E>()`, `ask<E>()`)
 * gets that event's own schema and reply type without casts.
 */
export type ClientEventContracts = {
  [E in ClientEventName]: { roles: readonly Role[]; request: z.ZodType<ParsedRequestOf<E>, RequestOf<E>>; reply: Reply<ReplyOf<E>> };
};
export const CLIENT_EVENTS: ClientEventContracts = contracts;

/** socket.io's view of the client → server events (`Server<ClientEvents, ServerEvents>`). */
export type ClientEvents = { [E in ClientEventName]: (req: RequestOf<E>, ack: Ack<ReplyOf<E>>) => void };

export interface ServerEvents {
  /** to the operator: their own state changed */
  'agent:state': (view: AgentView) => void;
  /** to the operator only: their mobile's verification changed */
  'agent:mobile': (status: MobileStatus) => void;
  /** to the operator: a call is being offered to their device (the device rings next) */
  'call:offer': (offer: CallOffer) => void;
  /** to the operator: their current call changed */
  'call:update': (call: CallView) => void;
  /** to admins: an operator changed */
  'admin:agent': (view: AgentView) => void;
  /** to admins: a call changed */
  'admin:call': (call: CallView) => void;
}
