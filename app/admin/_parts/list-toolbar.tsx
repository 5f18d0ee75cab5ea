'use client';
import { useEffect, useState, type ReactNode } from 'react';
import { Input } from '../../_components/ui/inputs';

/** Search (applied as the admin types, after a pause) and the list's own filters. */
export function ListToolbar({ q, onSearch, label, children }: { q: string; onSearch(q: string): void; label: string; children?: ReactNode }) {
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  useEffect(() => {
    if (text === q) return;
    const t = setTimeout(() => onSearch(text), 300);
    return () => clearTimeout(t);
  }, [text, q, onSearch]);
  return (
    <div className="mb-3 flex flex-wrap items-end gap-3" role="search">
      <label className="grid min-w-0 flex-[1_1_16rem] gap-1">
        <span className="font-semibold">{label}</span>
        <Input type="search" value={text} onChange={(e) => setText(e.target.value)} data-testid="list-search" />
      </label>
      {children}
    </div>
  );
}
