import { z } from 'zod';

/** An operator's state as the CTI knows it. Transitions live in server/cti/domain/agent-state.ts. */
export const AgentState = z.enum(['offline', 'not_ready', 'ready', 'reserved', 'talking', 'wrap_up']);
export type AgentState = z.infer<typeof AgentState>;

export const Role = z.enum(['ADMIN', 'SUPERVISOR', 'OPERATOR']);
export type Role = z.infer<typeof Role>;

/**
 * Where an operator takes calls: `browser` (sip.js in the console), `mobile` (the operator's
 * own E.164 number, rung through a carrier trunk once it is verified; docs/trunks.md) or
 * `sip_phone` (a desk phone or softphone registered with the credentials the console shows).
 */
export const DeviceKind = z.enum(['browser', 'mobile', 'sip_phone']);
export type DeviceKind = z.infer<typeof DeviceKind>;
