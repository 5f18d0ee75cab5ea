import type { Metadata } from 'next';
import { Suspense } from 'react';
import { CallHistory } from './call-history';

export const metadata: Metadata = { title: 'Call history' };

/** Admins and supervisors only: server/http/page-gate.ts checks the session before this renders. */
export default function CallHistoryPage() {
  return (
    <Suspense>
      <CallHistory />
    </Suspense>
  );
}
