import { z } from 'zod';
import { AgentState, DeviceKind, type Role } from './agent';
import type { CallStatus, EndedBy } from './call';
import { CallHistoryRequest, CallNotesRequest, CodeSlug, type CallerHistory, type CallWork, type ConsoleCodes, type NotReadyReason, type WrapUpView } from './call-work';
import type { Response } from './result';
import type { QueueTile } from './wallboard';
import type { CallQuality } from './call-quality';
import { MobileNumber } from './phone';
import { MonitorDeviceRequest, MonitorMobileStatusRequest, MonitorMobileVerifyRequest, MonitorModeRequest, MonitorStartRequest, MonitorStopRequest, SupervisorAgentRequest, type MonitorView } from './monitor';
const E164Pattern = /^\+[1-9]\d{6,14}$/;
export { MobileNumber };

/**
 * Every socket.io event between the web and the CTI, typed on both ends
 * (socket.io's `Server<ClientEvents, ServerEvents>` / `Socket<ServerEvents, ClientEvents>`).
 * Payloads from clients are parsed with the schemas here before anything else happens;
 * a payload that fails gets an error ack with code BAD_REQUEST.
 */

// ---- client → server payloads
export const DeviceRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal(DeviceKind.enum.browser) }).strict(),
  /** the verified mobile number to ring (must equal the stored, verified one) */
  z.object({ kind: z.literal(DeviceKind.enum.mobile), e164: MobileNumber }).strict(),
  /** a desk phone or softphone: the ack carries the settings to type into it */
  z.object({ kind: z.literal(DeviceKind.enum.sip_phone) }).strict(),
]);
export type DeviceRequest = z.infer<typeof DeviceRequest>;
/** operator: store this number and ring it once to verify it */
export const MobileVerifyRequest = z.object({ e164: MobileNumber }).strict();
export const MobileStatusRequest = z.object({}).strict();
export const ReadyRequest = z.object({}).strict();
/**
 * `code`: the operator's reason from the admin's not-ready list; `reason`: what the console itself
 * says when it asks (e.g. `device-lost` when the phone line dropped). One of them, or neither.
 */
export const NotReadyRequest = z.object({ reason: z.string().trim().min(1).max(64).optional(), code: CodeSlug.optional() }).strict();
export const CodesRequest = z.object({}).strict();
export const WrapUpExtendRequest = z.object({}).strict();
/** operator's console: its browser line to the call center is up (registered) or down (reconnecting, lost) */
export const LineRequest = z.object({ up: z.boolean() }).strict();
export const SubscribeRequest = z.object({}).strict();
/** operator: start (`on: true`) or stop recording their current call (queues that record on demand) */
export const RecordRequest = z.object({ on: z.boolean() }).strict();
/** operator: an in-call control on their own call */
const CallId = z.string({ error: 'which call?' }).regex(/^call-[0-9a-f]{16}$/, 'not a call id');
export const CallControlRequest = z.object({ callId: CallId }).strict();
/** keypad digits sent toward the caller (a remote menu): 1–32 of 0-9 * # A-D */
export const DtmfRequest = z.object({ callId: CallId, digits: z.string().regex(/^[0-9*#A-D]{1,32}$/, 'only the keys 0-9, * and #') }).strict();
/** an outside number, through a trunk: international form (spaces, dots and dashes dropped) */
const OutsideNumber = z
  .string()
  .transform((v) => v.replace(/[\s.-]/g, ''))
  .pipe(z.string().regex(E164Pattern, 'enter the number in international form, e.g. +447700900123'));
export const TransferTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('operator'), operatorId: z.string().min(1).max(64) }).strict(),
  z.object({ kind: z.literal('queue'), queueId: z.string().min(1).max(64) }).strict(),
  /** an outside number, through a trunk: international form */
  z.object({ kind: z.literal('number'), e164: OutsideNumber }).strict(),
]);
export type TransferTarget = z.infer<typeof TransferTarget>;
export const TransferRequest = z.object({ callId: CallId, to: TransferTarget }).strict();
export const TransferTargetsRequest = z.object({}).strict();
/** operator: consult a Ready operator (`operatorId`) or an outside number (`number`, through a trunk) — one of the two */
export const ConsultRequest = z
  .object({ callId: CallId, operatorId: z.string().min(1).max(64).optional(), number: OutsideNumber.optional() })
  .strict()
  .refine((r) => (r.operatorId === undefined) !== (r.number === undefined), { message: 'choose an operator or a number', path: ['operatorId'] });
/** operator: call this number (click-to-dial); spaces, dots and dashes are dropped */
export const DialRequest = z
  .object({
    number: z
      .string({ error: 'enter a number' })
      .transform((v) => v.replace(/[\s.()-]/g, ''))
      .pipe(z.string().regex(E164Pattern, 'enter the number in international form, e.g. +447700900123')),
  })
  .strict();

// ---- data sent to clients
export type DeviceGrant = BrowserGrant | MobileGrant | SipPhoneGrant;

/**
 * What to type into a desk phone or softphone. Only ever sent to the operator it is for, in the
 * ack of their own request; never logged. Valid until `expiresAt` (the CTI no longer rings it
 * once its operator signs out).
 */
export interface SipPhoneGrant {
  kind: 'sip_phone';
  /** user name and authentication user (the same) */
  sipUser: string;
  sipPassword: string;
  /** SIP domain (realm) */
  domain: string;
  /** the address phones register to */
  server: string;
  port: number;
  transports: Array<'UDP' | 'TCP'>;
  /** unix seconds */
  expiresAt: number;
}

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
  /** why they are not ready (null in any other state) */
  notReady: NotReadyReason | null;
  /** the wrap-up in progress (null in any other state) */
  wrapUp: WrapUpView | null;
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
  /**
   * On demand: `on` (being recorded) or `off` (the operator may start it); `always`: the queue
   * records every answered call; `not-offered`: the queue does not record (optional: older views)
   */
  recording?: 'on' | 'off' | 'always' | 'not-offered';
  /** the caller heard that the call is recorded (the queue tells callers; present only then) */
  callerTold?: true;
  /**
   * The caller is with an outside number now (a transfer or a completed consultation to it, or an
   * overflow), masked (+44•••••123): no operator controls the call any more (present only then)
   */
  forwardedTo?: string;
  /** the operator muted their microphone (the caller hears silence) */
  muted: boolean;
  /** a consultation with a second operator, while it lasts */
  consult: ConsultView | null;
  /** a queued callback: the caller hung up and keeps their place (present only then) */
  callback?: true;
  /** how each side's audio reaches the ACD, once measured (supervisors' roster) */
  quality?: CallQuality;
}

/**
 * `dialing`: their phone rings (the caller is on hold); `consulting`: the operators talk, the
 * caller on hold; `swapped`: back with the caller, the second operator on hold; `conference`: all three.
 */
export interface ConsultView {
  state: 'dialing' | 'consulting' | 'swapped' | 'conference';
  /** the second operator — or null when an outside number is consulted */
  operatorId: string | null;
  /** the operator's name, or the outside number as typed (international form) */
  name: string;
  number: string | null;
}

export interface CallOffer {
  callId: string;
  callerName: string;
  callerUri: string;
  dialed: string;
  queue: string | null;
  arrivedAt: number;
  /** the caller's number when their address carries one (not a SIP address); the console formats it */
  callerNumber: string | null;
  /** the queue's screen-pop address with {number} and {callId} filled in; opened when the operator answers */
  screenPopUrl: string | null;
  /** the operator's mobile or SIP phone must press 1 to take the call (press-1 accept; the console says so) */
  pressOne: boolean;
  /**
   * a consultation: another operator (this name) rings you about their caller, who is on hold —
   * not a caller for you yet (the console says so). Null for every other offer.
   */
  consultFrom: { operatorName: string } | null;
}

/** Who an operator may hand their call to. */
export interface TransferTargets {
  /** Ready operators with a device, by name (not the asker) */
  operators: Array<{ operatorId: string; name: string }>;
  queues: Array<{ id: string; name: string }>;
  /** an outside number can be dialled (an enabled outbound trunk exists) */
  numbers: boolean;
}

export interface AdminSnapshot {
  agents: AgentView[];
  calls: CallView[];
}

/** The wallboard on subscribing: the supervision roster and every queue's tile (then `admin:queues`, `admin:agent`, `admin:call`). */
export interface WallboardSnapshot extends AdminSnapshot {
  queues: QueueTile[];
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
export const ClientEventName = z.enum([
  'agent:device',
  'agent:mobile-verify',
  'agent:mobile-status',
  'agent:ready',
  'agent:not-ready',
  'agent:codes',
  'agent:wrap-up-extend',
  'agent:line',
  'call:notes',
  'call:history',
  'call:record',
  'call:hold',
  'call:resume',
  'call:mute',
  'call:unmute',
  'call:dtmf',
  'call:transfer-targets',
  'call:transfer',
  'call:consult',
  'call:consult-swap',
  'call:consult-complete',
  'call:consult-cancel',
  'call:conference',
  'call:dial',
  'admin:subscribe',
  'wallboard:subscribe',
  'history:subscribe',
  'monitor:device',
  'monitor:mobile-verify',
  'monitor:mobile-status',
  'monitor:start',
  'monitor:mode',
  'monitor:stop',
  'supervisor:not-ready',
  'supervisor:sign-out',
]);
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
  /** operator: the admin's active not-ready reasons and dispositions */
  'agent:codes': { roles: OPERATOR, request: CodesRequest, reply: reply<ConsoleCodes>() },
  /** operator, in wrap-up: once, by the queue's wrap-up time */
  'agent:wrap-up-extend': { roles: OPERATOR, request: WrapUpExtendRequest, reply: reply<AgentView>() },
  /** operator's console: the browser line went down or came back; a line down cannot be offered calls */
  'agent:line': { roles: OPERATOR, request: LineRequest, reply: reply<AgentView>() },
  /** operator: notes and disposition of a call they handled (saved with the call) */
  'call:notes': { roles: OPERATOR, request: CallNotesRequest, reply: reply<CallWork>() },
  /** operator: the previous calls of the caller on their current (or last) call */
  'call:history': { roles: OPERATOR, request: CallHistoryRequest, reply: reply<CallerHistory>() },
  /** operator: start or stop recording the call they are on */
  'call:record': { roles: OPERATOR, request: RecordRequest, reply: reply<CallView>() },
  /** operator, on their answered call: the caller hears music; a second hold is refused ("already on hold") */
  'call:hold': { roles: OPERATOR, request: CallControlRequest, reply: reply<CallView>() },
  'call:resume': { roles: OPERATOR, request: CallControlRequest, reply: reply<CallView>() },
  /** operator: the caller hears silence instead of them (they still hear the caller) */
  'call:mute': { roles: OPERATOR, request: CallControlRequest, reply: reply<CallView>() },
  'call:unmute': { roles: OPERATOR, request: CallControlRequest, reply: reply<CallView>() },
  /** operator: keypad digits toward the caller's side */
  'call:dtmf': { roles: OPERATOR, request: DtmfRequest, reply: reply<CallView>() },
  /** operator: the Ready operators and the queues they may transfer to */
  'call:transfer-targets': { roles: OPERATOR, request: TransferTargetsRequest, reply: reply<TransferTargets>() },
  /** operator: blind transfer to another operator or a queue; they go to wrap-up */
  'call:transfer': { roles: OPERATOR, request: TransferRequest, reply: reply<CallView>() },
  /** operator: consultation — the caller on hold, ring a Ready operator and talk to them */
  'call:consult': { roles: OPERATOR, request: ConsultRequest, reply: reply<CallView>() },
  /** operator, consulting: the caller back and the other operator on hold (and back) */
  'call:consult-swap': { roles: OPERATOR, request: CallControlRequest, reply: reply<CallView>() },
  /** operator, consulting: the caller goes to the other operator; this one wraps up */
  'call:consult-complete': { roles: OPERATOR, request: CallControlRequest, reply: reply<CallView>() },
  /** operator, consulting: the other operator is released; back to the caller */
  'call:consult-cancel': { roles: OPERATOR, request: CallControlRequest, reply: reply<CallView>() },
  /** operator, consulting: all three hear each other */
  'call:conference': { roles: OPERATOR, request: CallControlRequest, reply: reply<CallView>() },
  /** operator: click-to-dial a number (their device rings first, then the number, through a trunk) */
  'call:dial': { roles: OPERATOR, request: DialRequest, reply: reply<CallView>() },
  /** admin, supervisor: join the live view */
  'admin:subscribe': { roles: SUPERVISORS, request: SubscribeRequest, reply: reply<AdminSnapshot>() },
  /** admin, supervisor: join the live view with the wallboard's queue tiles */
  'wallboard:subscribe': { roles: SUPERVISORS, request: SubscribeRequest, reply: reply<WallboardSnapshot>() },
  /** admin, supervisor on the call history: be told (`history:stored`) each time call rows are stored */
  'history:subscribe': { roles: SUPERVISORS, request: SubscribeRequest, reply: reply<{ subscribed: true }>() },
  /** admin, supervisor: the phone that rings to monitor (this page's browser phone, a desk phone's settings, or my verified mobile) */
  'monitor:device': { roles: SUPERVISORS, request: MonitorDeviceRequest, reply: reply<BrowserGrant | SipPhoneGrant | MobileGrant>() },
  /** admin, supervisor: store my mobile number and ring it once (the verification call an operator's gets) */
  'monitor:mobile-verify': { roles: SUPERVISORS, request: MonitorMobileVerifyRequest, reply: reply<MobileStatus>() },
  /** admin, supervisor: my mobile and its verification */
  'monitor:mobile-status': { roles: SUPERVISORS, request: MonitorMobileStatusRequest, reply: reply<MobileStatus>() },
  /** admin, supervisor: ring my phone into a connected call (listen, whisper or barge) */
  'monitor:start': { roles: SUPERVISORS, request: MonitorStartRequest, reply: reply<MonitorView>() },
  /** admin, supervisor: switch listen / whisper / barge during the call */
  'monitor:mode': { roles: SUPERVISORS, request: MonitorModeRequest, reply: reply<MonitorView>() },
  /** admin, supervisor: leave the call (only my leg ends) */
  'monitor:stop': { roles: SUPERVISORS, request: MonitorStopRequest, reply: reply<MonitorView>() },
  /** admin, supervisor: set an operator Not ready (their console says a supervisor did) */
  'supervisor:not-ready': { roles: SUPERVISORS, request: SupervisorAgentRequest, reply: reply<AgentView>() },
  /** admin, supervisor: sign an operator out of the console (not while on a call) */
  'supervisor:sign-out': { roles: SUPERVISORS, request: SupervisorAgentRequest, reply: reply<AgentView>() },
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
  /** to admins: operators changed — each one's latest view, batched per turn of the CTI's event loop, at most 50 a message (admin-agent-batch.ts) */
  'admin:agents': (views: AgentView[]) => void;
  /** to admins: a call changed */
  'admin:call': (call: CallView) => void;
  /** to admins and supervisors: the wallboard's queue tiles (at most every 250 ms after a change) */
  'admin:queues': (tiles: QueueTile[]) => void;
  /** to admins and supervisors on the history: these calls' rows are stored now (one message per journal batch) */
  'history:stored': (batch: { callIds: string[] }) => void;
  /** to a person an administrator deactivated, just before their connection is closed */
  'user:signed-out': (why: { by: 'administrator' | 'supervisor' }) => void;
  /** to a supervisor: their monitoring of a call changed (ringing, connected, mode, ended) */
  'monitor:state': (view: MonitorView) => void;
  /** to a supervisor only: their mobile's verification changed */
  'monitor:mobile': (status: MobileStatus) => void;
}
