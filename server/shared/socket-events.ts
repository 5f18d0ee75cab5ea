import { z } from 'zod';
import { AgentState, DeviceKind } from './agent';
import type { Response } from './result';

/**
 * Every socket.io event between the web and the CTI, typed on both ends
 * (socket.io's `Server<ClientEvents, ServerEvents>` / `Socket<ServerEvents, ClientEvents>`).
 * Payloads from clients are parsed with the schemas here before anything else happens;
 * a payload that fails gets an error ack with code BAD_REQUEST.
 */

// ---- client → server payloads
export const DeviceRequest = z.object({ kind: DeviceKind }).strict();
export const ReadyRequest = z.object({}).strict();
export const NotReadyRequest = z.object({ reason: z.string().trim().min(1).max(64).optional() }).strict();
export const SubscribeRequest = z.object({}).strict();

// ---- data sent to clients
export interface DeviceGrant {
  kind: DeviceKind;
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

export const CallStatus = z.enum(['queued', 'offering', 'connected', 'ended']);
export type CallStatus = z.infer<typeof CallStatus>;

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
  endedBy: string | null;
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

export interface ClientEvents {
  /** operator: choose a device; the CTI issues SIP credentials for it */
  'agent:device': (req: z.input<typeof DeviceRequest>, ack: Ack<DeviceGrant>) => void;
  'agent:ready': (req: z.input<typeof ReadyRequest>, ack: Ack<AgentView>) => void;
  'agent:not-ready': (req: z.input<typeof NotReadyRequest>, ack: Ack<AgentView>) => void;
  /** admin, supervisor: join the live view */
  'admin:subscribe': (req: z.input<typeof SubscribeRequest>, ack: Ack<AdminSnapshot>) => void;
}

export interface ServerEvents {
  /** to the operator: their own state changed */
  'agent:state': (view: AgentView) => void;
  /** to the operator: a call is being offered to their device (the device rings next) */
  'call:offer': (offer: CallOffer) => void;
  /** to the operator: their current call changed */
  'call:update': (call: CallView) => void;
  /** to admins: an operator changed */
  'admin:agent': (view: AgentView) => void;
  /** to admins: a call changed */
  'admin:call': (call: CallView) => void;
}
