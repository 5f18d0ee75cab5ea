import type { Metadata } from 'next';
import { PersonEditor } from '../person-editor';

export const metadata: Metadata = { title: 'Add a person' };

export default function NewPersonPage() {
  return <PersonEditor id={null} />;
}
