import type { Metadata } from 'next';
import { Suspense } from 'react';
import { NumbersList } from './numbers-list';

export const metadata: Metadata = { title: 'Numbers' };

export default function NumbersPage() {
  return (
    <Suspense>
      <NumbersList />
    </Suspense>
  );
}
