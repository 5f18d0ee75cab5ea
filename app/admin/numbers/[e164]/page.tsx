import type { Metadata } from 'next';
import { NumberEditor } from '../number-editor';

export const metadata: Metadata = { title: 'Number' };

export default async function NumberPage({ params }: { params: Promise<{ e164: string }> }) {
  const { e164 } = await params;
  return <NumberEditor e164={decodeURIComponent(e164)} />;
}
