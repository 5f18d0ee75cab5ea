import { z } from 'zod';
import { CallOutcome, EndedBy } from '../../contracts/call';
import { LegId, NodeId } from '../../shared/sip-control';

/**
 * What CTI nodes tell each other to route across nodes (docs/cti.md, "Several CTI nodes",
 * *Routing across nodes*): each node's Ready operators, and the call a node hands to another.
 * Only with several nodes (Redis); one node alone has none, and its routing never leaves the
 * process.
 *
 * Contract:
 * - `publish` MUST reach every other node soon (ms) and MUST be repeated by the adapter at least
 *   every `SNAPSHOT_EVERY_MS` while the node lives, so a node that starts late learns the others,
 *   and a snapshot older than `SNAPSHOT_STALE_MS` is a dead node's (ignored).
 * - A node's own snapshots are not given back to it.
 * - `putHandoff` stores the record before the caller's leg is handed over; `takeHandoff` returns it
 *   once (read and deleted in one step) or null; records lapse on their own (`HANDOFF_TTL_MS`).
 * - Never throws: a store that cannot be reached answers false/null and logs.
 */
export interface RoutingExchange {
  readonly nodeId: string;
  /** this node's Ready operators and its oldest waiting callers now (replaces its last snapshot) */
  publish(ready: readonly ReadyOperator[], waiting: readonly WaitingCaller[]): void;
  /** another node's snapshot arrived */
  onSnapshot(listener: (s: NodeSnapshot) => void): () => void;
  putHandoff(legId: string, record: HandoffRecord): Promise<boolean>;
  takeHandoff(legId: string): Promise<HandoffRecord | null>;
  dropHandoff(legId: string): Promise<void>;
  close(): Promise<void>;
}

export const SNAPSHOT_EVERY_MS = 1_000;
export const SNAPSHOT_STALE_MS = 3_500;
export const HANDOFF_TTL_MS = 30_000;

export const ReadyOperator = z.object({
  operatorId: z.string().min(1).max(64),
  /** ms since the epoch: Ready (or their last call ended) since then — longest idle first across nodes too */
  idleSince: z.number().int().nonnegative(),
});
export type ReadyOperator = z.infer<typeof ReadyOperator>;

/** A caller waiting on a node with nobody free there: other nodes keep an operator for them in serving order (the shared waiting list). */
export const WaitingCaller = z.object({
  callId: z.string().min(1).max(64),
  queueId: z.string().min(1).max(64),
  arrivedAt: z.number().int().nonnegative(),
  priority: z.number().int(),
  first: z.boolean(),
});
export type WaitingCaller = z.infer<typeof WaitingCaller>;
/** How many of a node's waiting callers its snapshot carries (the oldest). */
export const WAITING_PUBLISHED = 64;

export const NodeSnapshot = z.object({ node: NodeId, at: z.number().int().nonnegative(), ready: z.array(ReadyOperator).max(10_000), waiting: z.array(WaitingCaller).max(WAITING_PUBLISHED).default([]) });
export type NodeSnapshot = z.infer<typeof NodeSnapshot>;

const date = z.coerce.date();
/** The call's stored row as the journal holds it (it goes on being written whole by the node that takes it). */
const HandedRow = z.object({
  id: z.string().min(1),
  acdLegId: z.string(),
  dialed: z.string(),
  callerId: z.string(),
  callerNumber: z.string().nullable(),
  queueId: z.string().nullable(),
  arrivedAt: date,
  direction: z.enum(['inbound', 'outbound']).optional(),
  operatorId: z.string().nullable(),
  offeredAt: date.nullable(),
  answeredAt: date.nullable(),
  endedAt: date.nullable(),
  endedBy: EndedBy.nullable(),
  outcome: CallOutcome.nullable(),
  notes: z.string().nullable(),
  dispositionCode: z.string().nullable(),
  wrapUpExtended: z.boolean(),
  wrapUpEndedAt: date.nullable(),
  figures: z.object({ firstAnsweredAt: z.number().nullable(), answeredQueue: z.string().nullable(), transfers: z.number().int(), anyAnswer: z.boolean() }).optional(),
});

/** A waiting call as the node handing it over knew it: enough to go on as the same call, with no database read. */
export const HandoffRecord = z.object({
  callId: z.string().min(1).max(64),
  legId: LegId,
  fromNode: NodeId,
  toNode: NodeId,
  /** the operator the handing node reserved for it on the other node */
  operatorId: z.string().min(1).max(64),
  dialed: z.string(),
  callerName: z.string(),
  callerUri: z.string(),
  queueId: z.string().nullable(),
  priority: z.number().int(),
  first: z.boolean(),
  arrivedAt: z.number().int(),
  offeredAt: z.number().int().nullable(),
  counted: z.boolean(),
  overflows: z.number().int().nonnegative(),
  notes: z.string().nullable(),
  /** the journal's row and the last timeline seq (null: not created yet) */
  row: HandedRow.nullable(),
  seq: z.number().int().nonnegative(),
});
export type HandoffRecord = z.infer<typeof HandoffRecord>;
