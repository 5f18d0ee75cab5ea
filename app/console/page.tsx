import type { Metadata } from 'next';
import { OperatorConsole } from './operator-console';

export const metadata: Metadata = { title: 'Operator console' };

/** Signed-in operators only: server/http/page-gate.ts checks the session before this renders. */
export default function ConsolePage() {
  return <OperatorConsole />;
}
