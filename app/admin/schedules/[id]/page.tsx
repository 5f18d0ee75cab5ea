import type { Metadata } from 'next';
import { ScheduleEditor } from '../schedule-editor';

export const metadata: Metadata = { title: 'Schedule' };

export default async function SchedulePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ScheduleEditor id={decodeURIComponent(id)} />;
}
