import type { Metadata } from 'next';
import { CallTimeline } from './call-timeline';

export const metadata: Metadata = { title: 'Call timeline' };

export default async function CallTimelinePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <CallTimeline callId={decodeURIComponent(id)} />;
}
