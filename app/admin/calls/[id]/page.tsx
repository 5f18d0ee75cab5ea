import type { Metadata } from 'next';
import { CallTimeline } from './call-timeline';
import { RecordingPlayer } from './recording-player';

export const metadata: Metadata = { title: 'Call timeline' };

export default async function CallTimelinePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  let callId = id;
  try {
    callId = decodeURIComponent(id);
  } catch {
    // not percent-encoded after all: use it as it is; the API refuses what is not a call id
  }
  return (
    <>
      <CallTimeline callId={callId} />
      <RecordingPlayer callId={callId} />
    </>
  );
}
