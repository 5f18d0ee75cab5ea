import type { Metadata } from 'next';
import { Wallboard } from './wallboard';

export const metadata: Metadata = { title: 'Wallboard' };

/** Admins and supervisors only: server/http/page-gate.ts checks the session before this renders. */
export default function WallboardPage() {
  return <Wallboard />;
}
