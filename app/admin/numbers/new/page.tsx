import type { Metadata } from 'next';
import { NumberEditor } from '../number-editor';

export const metadata: Metadata = { title: 'Add a number' };

export default function NewNumberPage() {
  return <NumberEditor e164={null} />;
}
