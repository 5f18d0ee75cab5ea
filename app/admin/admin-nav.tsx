'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '../_components/ui/cn';

/** The portal's sections, in the order an admin sets up a call center. */
export const ADMIN_SECTIONS = [
  { href: '/admin', label: 'Supervision', exact: true },
  { href: '/admin/wallboard', label: 'Wallboard' },
  { href: '/admin/calls', label: 'History' },
  { href: '/admin/reports', label: 'Reports' },
  { href: '/admin/people', label: 'People' },
  { href: '/admin/queues', label: 'Queues' },
  { href: '/admin/trunks', label: 'Trunks' },
  { href: '/admin/numbers', label: 'Numbers' },
  { href: '/admin/schedules', label: 'Hours' },
  { href: '/admin/audio', label: 'Audio' },
  { href: '/admin/codes', label: 'Codes' },
  { href: '/admin/audit', label: 'Audit' },
] as const;

export function AdminNav() {
  const path = usePathname();
  const active = (s: (typeof ADMIN_SECTIONS)[number]) => ('exact' in s ? path === s.href : path === s.href || path.startsWith(`${s.href}/`));
  return (
    <nav aria-label="Admin portal" className="border-b border-border bg-surface">
      <ul className="m-0 mx-auto flex max-w-[90rem] list-none flex-wrap gap-x-1 px-2 py-0 sm:px-4">
        {ADMIN_SECTIONS.map((s) => (
          <li key={s.href}>
            <Link
              href={s.href}
              aria-current={active(s) ? 'page' : undefined}
              data-testid={`admin-nav-${s.label.toLowerCase()}`}
              className={cn(
                'inline-flex min-h-11 items-center whitespace-nowrap border-b-[3px] px-2 font-semibold no-underline sm:px-3',
                active(s) ? 'border-brand text-brand' : 'border-transparent text-muted hover:text-text',
              )}
            >
              {s.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
