import type { Metadata } from 'next';
import { TrunkEditor } from '../trunk-editor';

export const metadata: Metadata = { title: 'Add a trunk' };

export default function NewTrunkPage() {
  return <TrunkEditor id={null} />;
}
