import type { Metadata } from 'next';
import { QueueEditor } from '../queue-editor';

export const metadata: Metadata = { title: 'Add a queue' };

export default function NewQueuePage() {
  return <QueueEditor id={null} />;
}
