import Link from 'next/link';
import type { ReactNode } from 'react';

/** The top bar of every page; signed-in pages pass their user box as children. */
export function SiteHeader({ children }: { children?: ReactNode }) {
  return (
    <header className="site-header">
      <Link href="/" className="brand" data-testid="nav-home">
        <span aria-hidden="true" className="brand-mark">
          ⌁
        </span>{' '}
        Patchbay
      </Link>
      <div className="site-header-right">{children}</div>
    </header>
  );
}
