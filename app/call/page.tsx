import type { Metadata } from 'next';
import { CallerPhone } from './caller-phone';

export const metadata: Metadata = { title: 'Call us' };

/** Public: anyone may call one of our numbers from the browser, without an account. */
export default function CallPage() {
  return <CallerPhone />;
}
