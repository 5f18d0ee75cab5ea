import { lookUpTransition, type TransitionResult, type TransitionTable } from '../../shared/state-machine';

/**
 * A supervisor's phone joining a monitored call (docs/cti.md, "Monitoring"). A browser or desk
 * phone joins the call's mix when it answers; a mobile answers first (`answered`: its voicemail
 * answers too) and joins only when the supervisor presses 1 on it.
 *
 * ```
 *   ringing ──joined──────────────────────▶ connected
 *      │                                       ▲
 *      └──answered──▶ confirming ──joined──────┘
 * ```
 * Ending (left, hung up, call over, no answer, no 1 in time) removes the monitoring from any state.
 */
export type MonitorPhase = 'ringing' | 'confirming' | 'connected';
export type MonitorPhaseEvent = 'answered' | 'joined';

export const MONITOR_TRANSITIONS: TransitionTable<MonitorPhase, MonitorPhaseEvent> = {
  ringing: { answered: 'confirming', joined: 'connected' },
  confirming: { joined: 'connected' },
  connected: {},
};

export function monitorTransition(state: MonitorPhase, event: MonitorPhaseEvent): TransitionResult<MonitorPhase> {
  return lookUpTransition('monitor', MONITOR_TRANSITIONS, state, event);
}
