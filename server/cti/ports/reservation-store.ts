/**
 * Who holds an operator across CTI nodes (docs/cti.md, "Several CTI nodes").
 *
 * An operator is *held* from the moment a node reserves them for a call until their call is
 * over (reserved → talking → wrap-up, or the offer failing). A node's roster and router keep
 * their own picture as before; this port only makes the one decision two nodes could race on
 * — "is this operator free to be offered a call?" — atomic, so no two nodes ever offer the same
 * operator at once.
 *
 * Contract:
 * - `reserve` MUST be atomic across every node sharing the store: of concurrent reservations of
 *   one operator at most one returns true, until the holder releases it or the holder's node dies.
 * - A node's holds MUST NOT outlive the node: a node that stops heart-beating loses them all
 *   (nothing stays reserved forever), without anyone cleaning up after it.
 * - `reserve` of an operator this node already holds is true, whatever the call: a node asks only
 *   for operators its own roster has Ready, and its roster is the truth about its operators (so a
 *   release that was lost cannot block this node's own operator).
 * - `release` frees only this node's hold; `take` holds the operator whoever held them (the
 *   ACD says the operator's device is on this node's call: a recovered bridge, their own dial).
 * - The methods never throw: a store that cannot be reached answers `reserve` false (nobody is
 *   offered a call a node could not reserve) and logs; `release` and `take` retry on their own.
 */
export interface ReservationStore {
  /** this node's name in the store (CTI_NODE_ID) */
  readonly nodeId: string;
  /** true when other CTI nodes may share it (Redis): the database's open calls are then not all this node's */
  readonly shared: boolean;
  /**
   * Holds each operator for its call, unless held already; one answer per request, in order.
   * An adapter that can decide in the process (memory) answers at once, so one node alone offers
   * within the routing pass exactly as before; a shared one (Redis) answers with a promise.
   */
  reserve(requests: readonly ReserveRequest[]): boolean[] | Promise<boolean[]>;
  /** Frees this node's hold on the operator (no-op when another node holds them, or nobody). */
  release(operatorId: string): Promise<void>;
  /** Holds the operator for this call whoever held them. */
  take(operatorId: string, callId: string): Promise<void>;
  /** The live hold on an operator, or null. */
  holder(operatorId: string): Promise<Hold | null>;
  /** Stops heart-beating and lets go of every hold this node has. Safe twice. */
  close(): Promise<void>;
}

export interface ReserveRequest {
  operatorId: string;
  callId: string;
}

export interface Hold {
  nodeId: string;
  callId: string;
}
