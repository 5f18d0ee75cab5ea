import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SchedulesList } from './schedules-list';

export const metadata: Metadata = { title: 'Business hours' };

export default function SchedulesPage() {
  return (
    <Suspense>
      <SchedulesList />
    </Suspense>
  );
}
