import type { ReactNode } from 'react';

/** The frame of every portal page: a title, the page's actions, then its content. */
export function PageFrame({ title, actions, children, lead }: { title: string; actions?: ReactNode; lead?: ReactNode; children: ReactNode }) {
  return (
    <main id="main" className="page wide">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="m-0 my-2">{title}</h1>
        {actions && <div className="flex flex-wrap gap-2">{actions}</div>}
      </div>
      {lead && <p className="m-0 mb-4 text-muted">{lead}</p>}
      {children}
    </main>
  );
}

/** A form-level message (a refused save, a load error); announced when it appears. */
export function Banner({ tone = 'bad', children, testId }: { tone?: 'bad' | 'info' | 'ok'; children: ReactNode; testId?: string }) {
  const cls = tone === 'bad' ? 'bg-bad-bg text-bad' : tone === 'ok' ? 'bg-ok-bg text-ok' : 'bg-info-bg text-info';
  return (
    <p role={tone === 'bad' ? 'alert' : 'status'} className={`m-0 my-3 rounded-lg px-4 py-3 ${cls}`} data-testid={testId ?? 'form-banner'}>
      {children}
    </p>
  );
}

/** Shown to supervisors, who may look but not change. */
export function ReadOnlyNote() {
  return <Banner tone="info">You can look at this page; only admins can change it.</Banner>;
}

/** A titled group of fields (fieldset with a legend, so screen readers name the group). */
export function Section({ title, children, hint }: { title: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <fieldset className="m-0 mb-4 grid gap-4 rounded-box border border-border bg-surface p-4 sm:p-5">
      <legend className="px-1 text-lg font-bold">{title}</legend>
      {hint && <p className="m-0 -mt-2 text-sm text-muted">{hint}</p>}
      {children}
    </fieldset>
  );
}
