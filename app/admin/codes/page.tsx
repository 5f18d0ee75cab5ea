import type { Metadata } from 'next';
import { CodeList } from './code-list';

export const metadata: Metadata = { title: 'Codes' };

export default function CodesPage() {
  return (
    <main id="main" className="page wide">
      <h1>Codes</h1>
      <p className="lead">The reasons an operator can give for not being ready, and the dispositions they pick in wrap-up (used by the console in a later release).</p>
      <CodeList kind="not_ready" />
      <CodeList kind="disposition" />
    </main>
  );
}
