/**
 * The shape every state machine of the servers shares: a table state → event → next state,
 * where anything absent is illegal, and one lookup that never throws. Pure (it imports
 * nothing), so the CTI's domain may use it too: the CTI's agent, call and mobile-verification
 * machines and the ACD's transaction tables share these types.
 */
export type TransitionTable<S extends string, E extends string> = Readonly<Record<S, Readonly<Partial<Record<E, S>>>>>;

export interface IllegalTransition {
  kind: 'illegal-transition';
  machine: string;
  state: string;
  event: string;
  message: string;
}

export type TransitionResult<S> = { ok: true; next: S } | { ok: false; error: IllegalTransition };

export function illegalTransition(machine: string, state: string, event: string): IllegalTransition {
  return { kind: 'illegal-transition', machine, state, event, message: `${machine}: ${event} is not allowed in state ${state}` };
}

/**
 * The next state from `table`, or an IllegalTransition naming the machine. The table may
 * lack rows (a state of a sibling machine sharing the state type): such a state has no moves.
 */
export function lookUpTransition<S extends string, E extends string>(
  machine: string,
  table: Readonly<Partial<Record<S, Readonly<Partial<Record<E, S>>>>>>,
  state: S,
  event: E,
): TransitionResult<S> {
  const next = table[state]?.[event];
  return next ? { ok: true, next } : { ok: false, error: illegalTransition(machine, state, event) };
}

/** Number of legal (state, event) pairs: tests check a table holds no entry its spec lacks. */
export function countTransitions(table: Readonly<Record<string, object>>): number {
  return Object.values(table).reduce((n, row) => n + Object.keys(row).length, 0);
}
