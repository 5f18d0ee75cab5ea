import { z } from 'zod';
import { NodeId } from '../../shared/sip-control';

/**
 * What CTI nodes tell each other for the wallboard (docs/cti.md, *Several CTI nodes*), so every
 * supervisor sees the whole center whichever node their socket is on:
 * - **calls**: each change of one of this node's calls as its journal gives it (the columns the
 *   figures read and its folded answered/transferred events). Every node's board follows every
 *   call by id, so a call counts once however many nodes saw it (seeded from the database at a
 *   node's boot, handed from one node to another) and the last word about it wins.
 * - **live**: this node's share of each queue's live part — callers waiting on it, the staffing of
 *   the operators signed in on it. A tile's live part is the sum of the nodes' fresh shares.
 *
 * Contract (as the routing exchange's snapshots, ports/routing-exchange.ts):
 * - both MUST reach every other node soon (ms); `publishLive` MUST be repeated by the adapter at
 *   least every `SNAPSHOT_EVERY_MS` while the node lives, and a live share older than
 *   `SNAPSHOT_STALE_MS` is a dead node's (left out of the sum). On close the adapter sends an empty
 *   live share. Call changes are sent once (a node that missed some while its subscription was
 *   down counts those calls as it last heard of them — docs/cti.md says so).
 * - A node's own messages are not given back to it.
 * - Never throws: a message that fails the schema is logged and dropped.
 */
export interface BoardExchange {
  readonly nodeId: string;
  /** changes of this node's calls since the last batch */
  publishCalls(calls: readonly SharedCall[]): void;
  /** this node's live share now (replaces its last) */
  publishLive(share: LiveShare): void;
  onCalls(listener: (node: string, calls: SharedCall[]) => void): () => void;
  onLive(listener: (s: NodeLiveShare) => void): () => void;
}

const count = z.number().int().nonnegative();
const ms = z.number().int().nonnegative();
const id = z.string().min(1).max(64);

/** One call as the figures read it (domain/queue-figures.ts `CallRowFacts` + `FigureEvents`), times in ms. */
export const SharedCall = z
  .object({
    id,
    queueId: id.nullable(),
    direction: z.enum(['inbound', 'outbound']),
    arrivedAt: ms,
    answeredAt: ms.nullable(),
    endedAt: ms.nullable(),
    outcome: z.string().max(32).nullable(),
    wrapUpEndedAt: ms.nullable(),
    ev: z.object({ firstAnsweredAt: ms.nullable(), answeredQueue: id.nullable(), transfers: count, anyAnswer: z.boolean() }).strict(),
  })
  .strict();
export type SharedCall = z.infer<typeof SharedCall>;

export const NodeCalls = z.object({ node: NodeId, calls: z.array(SharedCall).max(10_000) }).strict();

export const ShareStaffing = z
  .object({
    ready: count,
    ringing: count,
    talking: count,
    wrapUp: count,
    notReady: count,
    notReadyByReason: z.record(z.string().max(120), count).refine((r) => Object.keys(r).length <= 100, 'at most 100 reasons'),
  })
  .strict();

export const QueueLiveShare = z
  .object({
    queueId: id,
    waiting: count,
    callbacksWaiting: count,
    /** the arrival of this node's longest-waiting caller of the queue */
    oldestWaitingSince: ms.nullable(),
    staffing: ShareStaffing,
  })
  .strict();
export type QueueLiveShare = z.infer<typeof QueueLiveShare>;

export const LiveShare = z.object({ queues: z.array(QueueLiveShare).max(5_000) }).strict();
export type LiveShare = z.infer<typeof LiveShare>;

export const NodeLiveShare = LiveShare.extend({ node: NodeId, at: ms }).strict();
export type NodeLiveShare = z.infer<typeof NodeLiveShare>;
