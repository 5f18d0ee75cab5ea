import type { Metadata } from 'next';
import { Suspense } from 'react';
import { TrunksList } from './trunks-list';

export const metadata: Metadata = { title: 'Trunks' };

export default function TrunksPage() {
  return (
    <Suspense>
      <TrunksList />
    </Suspense>
  );
}
