/**
 * A leg's state machine: the party side and, inside it, the control sub-state (the leg's
 * control dialog with the CTI). `Leg.transition()` is the only writer of either.
 *
 * ```
 *  caller:  answering ──confirm (ACK)──▶ parked ──bridge──▶ bridged
 *                                          ▲                   │
 *                                          └─────unbridge──────┘
 *  device:  ringing ──bridge (200)──▶ bridged ──unbridge (peer gone)──▶ waiting
 *           ringing ──answer_alone (200, number check: no caller)──▶ waiting
 *
 *  controller's moves (control-ops.ts), both kinds ("alone" = parked for a caller, waiting for a device):
 *           bridged ──hold──▶ held (music; remembers its peer) ──resume──▶ bridged
 *           alone / held / bridged / mixed ──bridge (re-bridge to another leg)──▶ bridged
 *           alone / held / bridged / ringing ──mix (join a mixing bridge)──▶ mixed ──unmix──▶ alone
 *  any live state ──close──▶ ended
 *
 *  control: none ──offer──▶ offering ──connect (2xx)──▶ up
 *             ▲               │
 *             └─offer_failed──┘       none ──connect──▶ up   (a dial makes its control dialog at once)
 *           none / offering / up ──close──▶ ended
 * ```
 */
export const LegKind = ['caller', 'device'] as const;
export type LegKind = (typeof LegKind)[number];

export const LegState = ['answering', 'parked', 'ringing', 'bridged', 'waiting', 'held', 'mixed', 'ended'] as const;
export type LegState = (typeof LegState)[number];

export const ControlState = ['none', 'offering', 'up', 'ended'] as const;
export type ControlState = (typeof ControlState)[number];

/** Events of the party side. */
export const PartyEvent = ['confirm', 'bridge', 'answer_alone', 'unbridge', 'hold', 'resume', 'mix', 'unmix'] as const;
export type PartyEvent = (typeof PartyEvent)[number];
/** Events of the control sub-state. */
export const ControlEvent = ['offer', 'offer_failed', 'connect'] as const;
export type ControlEvent = (typeof ControlEvent)[number];
/** `close` ends both sides at once. */
export const LegEvent = [...PartyEvent, ...ControlEvent, 'close'] as const;
export type LegEvent = (typeof LegEvent)[number];

type PartyTable = Readonly<Partial<Record<LegState, Partial<Record<PartyEvent | 'close', LegState>>>>>;

/** The party side per kind: state → event → next state. Anything absent is illegal. */
export const PARTY_TRANSITIONS: Readonly<Record<LegKind, PartyTable>> = {
  caller: {
    answering: { confirm: 'parked', close: 'ended' },
    parked: { bridge: 'bridged', mix: 'mixed', close: 'ended' },
    bridged: { unbridge: 'parked', hold: 'held', bridge: 'bridged', mix: 'mixed', close: 'ended' },
    held: { resume: 'bridged', bridge: 'bridged', mix: 'mixed', close: 'ended' },
    mixed: { unmix: 'parked', bridge: 'bridged', close: 'ended' },
    ended: {},
  },
  device: {
    ringing: { bridge: 'bridged', answer_alone: 'waiting', mix: 'mixed', close: 'ended' },
    bridged: { unbridge: 'waiting', hold: 'held', bridge: 'bridged', mix: 'mixed', close: 'ended' },
    waiting: { bridge: 'bridged', mix: 'mixed', close: 'ended' },
    held: { resume: 'bridged', bridge: 'bridged', mix: 'mixed', close: 'ended' },
    mixed: { unmix: 'waiting', bridge: 'bridged', close: 'ended' },
    ended: {},
  },
};

/** The control sub-state: state → event → next state. */
export const CONTROL_TRANSITIONS: Readonly<Record<ControlState, Partial<Record<ControlEvent | 'close', ControlState>>>> = {
  none: { offer: 'offering', connect: 'up', close: 'ended' },
  offering: { offer_failed: 'none', connect: 'up', close: 'ended' },
  up: { close: 'ended' },
  ended: {},
};

export const INITIAL_STATE: Readonly<Record<LegKind, LegState>> = { caller: 'answering', device: 'ringing' };

export interface LegPosition {
  state: LegState;
  control: ControlState;
}

export interface IllegalLegTransition {
  kind: 'illegal-transition';
  machine: 'leg';
  legKind: LegKind;
  state: LegState;
  control: ControlState;
  event: LegEvent;
  message: string;
}

export type LegTransitionResult = { ok: true; next: LegPosition } | { ok: false; error: IllegalLegTransition };

const isControlEvent = (e: LegEvent): e is ControlEvent => (ControlEvent as readonly string[]).includes(e);

/** The next position of a leg, or why the move is refused. Pure; never throws. */
export function legTransition(kind: LegKind, at: LegPosition, event: LegEvent): LegTransitionResult {
  const party = event === 'close' || !isControlEvent(event) ? PARTY_TRANSITIONS[kind][at.state]?.[event] : at.state;
  const control = event === 'close' || isControlEvent(event) ? CONTROL_TRANSITIONS[at.control][event] : at.control;
  if (party && control) return { ok: true, next: { state: party, control } };
  return {
    ok: false,
    error: { kind: 'illegal-transition', machine: 'leg', legKind: kind, state: at.state, control: at.control, event, message: `leg (${kind}): ${event} is not allowed in ${at.state}/${at.control}` },
  };
}
