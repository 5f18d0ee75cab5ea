import type { Metadata } from 'next';
import { AudioLibrary } from './audio-library';

export const metadata: Metadata = { title: 'Audio' };

export default function AudioPage() {
  return <AudioLibrary />;
}
