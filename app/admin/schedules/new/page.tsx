import type { Metadata } from 'next';
import { ScheduleEditor } from '../schedule-editor';

export const metadata: Metadata = { title: 'Add a schedule' };

export default function NewSchedulePage() {
  return <ScheduleEditor id={null} />;
}
