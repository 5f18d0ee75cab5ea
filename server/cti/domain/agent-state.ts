import type { AgentState } from '../../contracts/agent';
import type { NotReadyCause } from '../../contracts/call-work';
import { illegalTransition as illegal, type TransitionResult } from '../../shared/state-machine';

/**
 * The operator's state machine. The CTI is the only writer of an operator's state: clients
 * send commands (Ready, Not ready), the bank reports call progress, and every move goes
 * through `transition()`, which refuses anything not in the table below.
 *
 * ```
 *   offline ──sign_in──▶ not_ready ──go_ready──▶ ready ──offer──▶ reserved ──answer──▶ talking
 *      ▲                  ▲   ▲  ◀──go_not_ready──┘ ▲ ◀─offer_cancelled─┘ │                 │
 *      │                  │   └──────── offer_failed, device_lost ────────┘                 │ hang_up
 *      │                  │                          │                                      ▼
 *      │                  └── go_not_ready, device_lost ── wrap_up ◀────────────────────────┘
 *      │                                             └─ wrap_up_done, go_ready ─▶ ready
 *      └── sign_out (from not_ready, ready, wrap_up; refused while reserved or talking)
 *   device_lost also moves ready → not_ready; extend_wrap_up keeps wrap_up (once per wrap-up,
 *   a rule of the roster's, since the table has no memory).
 * ```
 *
 * Rules worth stating:
 * - A failed offer (no answer, busy, device gone) puts the operator in `not_ready`, as real
 *   ACDs do, so an absent operator is not rung again and again.
 * - A caller who leaves while the device rings is not the operator's fault: `offer_cancelled`
 *   puts them back in `ready`.
 * - `sign_out` is refused while `reserved` or `talking`: the call must end (or the offer be
 *   withdrawn) first; the service does that and then signs the operator out.
 */
export const AgentEvent = [
  'sign_in',
  'go_ready',
  'go_not_ready',
  'offer',
  'offer_failed',
  'offer_cancelled',
  'answer',
  'hang_up',
  'wrap_up_done',
  'sign_out',
  'device_lost',
  'extend_wrap_up',
  'dial',
] as const;
export type AgentEvent = (typeof AgentEvent)[number];

export const AGENT_STATES: readonly AgentState[] = ['offline', 'not_ready', 'ready', 'reserved', 'talking', 'wrap_up'];

/** The whole machine: state → event → next state. Anything absent is illegal. */
export const AGENT_TRANSITIONS: Readonly<Record<AgentState, Partial<Record<AgentEvent, AgentState>>>> = {
  offline: { sign_in: 'not_ready' },
  not_ready: { go_ready: 'ready', sign_out: 'offline', dial: 'reserved' },
  ready: { go_not_ready: 'not_ready', offer: 'reserved', sign_out: 'offline', device_lost: 'not_ready', dial: 'reserved' },
  reserved: { answer: 'talking', offer_failed: 'not_ready', offer_cancelled: 'ready', device_lost: 'not_ready' },
  talking: { hang_up: 'wrap_up' },
  wrap_up: {
    wrap_up_done: 'ready',
    go_ready: 'ready',
    go_not_ready: 'not_ready',
    sign_out: 'offline',
    device_lost: 'not_ready',
    extend_wrap_up: 'wrap_up',
    dial: 'reserved',
  },
};

/**
 * Why an operator is not ready, from the event that put them there: the console says it in
 * words ("Missed call — you are now Not ready"); the state log keeps the cause.
 */
export const NOT_READY_CAUSE: Readonly<Partial<Record<AgentEvent, NotReadyCause>>> = {
  sign_in: 'signed_in',
  go_not_ready: 'operator',
  offer_failed: 'missed',
  device_lost: 'device',
};

/** The next agent state, or an IllegalTransition the caller logs and acknowledges. Never throws. */
export function transition(state: AgentState, event: AgentEvent): TransitionResult<AgentState> {
  const next = AGENT_TRANSITIONS[state][event];
  return next ? { ok: true, next } : { ok: false, error: illegal('agent', state, event) };
}
