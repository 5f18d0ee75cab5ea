import type { AgentState } from '@/server/contracts/agent';

const LABEL: Record<AgentState, string> = {
  offline: 'Offline',
  not_ready: 'Not ready',
  ready: 'Ready',
  reserved: 'Call coming',
  talking: 'Talking',
  wrap_up: 'Wrap-up',
};

/** An agent state as a coloured badge; the text, not the colour alone, carries the meaning. */
export function AgentBadge({ state, testId }: { state: AgentState; testId?: string }) {
  return (
    <span className={`badge state-${state}`} data-testid={testId} data-state={state}>
      {LABEL[state]}
    </span>
  );
}
