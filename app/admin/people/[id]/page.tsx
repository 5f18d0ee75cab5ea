import type { Metadata } from 'next';
import { PersonEditor } from '../person-editor';

export const metadata: Metadata = { title: 'Person' };

export default async function PersonPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <PersonEditor id={decodeURIComponent(id)} />;
}
