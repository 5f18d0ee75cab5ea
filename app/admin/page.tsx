import type { Metadata } from 'next';
import { SupervisionBoard } from './supervision-board';

export const metadata: Metadata = { title: 'Supervision' };

/** Admins and supervisors only: server/http/page-gate.ts checks the session before this renders. */
export default function AdminPage() {
  return <SupervisionBoard />;
}
