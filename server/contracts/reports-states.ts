import { STATE_WORDS, type OperatorsReport, type StatesReport } from './reports';

/**
 * The time-in-state chart's rows from the operators report (pure: the reports page draws it from
 * the operators report it already has; the states route answers it as JSON or CSV): the working
 * states, then Not ready per reason by its words ("no reason given" last). Operators never signed
 * in on the days (listed only for a missed offer) are left out.
 */
export function statesOf(r: OperatorsReport): StatesReport {
  const reasonKeys = Object.keys(r.reasons).sort((a, b) => (a === '' ? 1 : b === '' ? -1 : r.reasons[a]!.localeCompare(r.reasons[b]!)));
  const states = [
    ...(['ready', 'reserved', 'talking', 'wrap_up'] as const).map((k) => ({ key: k as string, label: STATE_WORDS[k] })),
    ...reasonKeys.map((code) => ({ key: `not_ready:${code}`, label: `${STATE_WORDS.not_ready}: ${r.reasons[code]}` })),
  ];
  const rows = r.rows
    .filter((x) => x.signedInMs > 0)
    .map((x) => {
      const ms: Record<string, number> = { ready: x.stateMs.ready, reserved: x.stateMs.reserved, talking: x.stateMs.talking, wrap_up: x.stateMs.wrap_up };
      for (const code of reasonKeys) ms[`not_ready:${code}`] = x.notReadyByReason[code] ?? 0;
      return { operatorId: x.operatorId, name: x.name, signedInMs: x.signedInMs, ms };
    });
  return { from: r.from, to: r.to, timeZone: r.timeZone, states, rows };
}
