import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AuditList } from './audit-list';

export const metadata: Metadata = { title: 'Audit' };

export default function AuditPage() {
  return (
    <Suspense>
      <AuditList />
    </Suspense>
  );
}
