import type { Metadata } from 'next';
import { Suspense } from 'react';
import { QueuesList } from './queues-list';

export const metadata: Metadata = { title: 'Queues' };

export default function QueuesPage() {
  return (
    <Suspense>
      <QueuesList />
    </Suspense>
  );
}
