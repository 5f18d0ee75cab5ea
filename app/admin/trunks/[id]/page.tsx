import type { Metadata } from 'next';
import { TrunkEditor } from '../trunk-editor';

export const metadata: Metadata = { title: 'Trunk' };

export default async function TrunkPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <TrunkEditor id={decodeURIComponent(id)} />;
}
