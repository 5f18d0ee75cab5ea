'use client';
import type { ReactNode } from 'react';
import type { CodeRow } from '@/server/contracts/admin/codes';
import type { Page } from '@/server/contracts/admin/paging';
import type { PersonRow } from '@/server/contracts/admin/people';
import type { QueueOption } from '@/server/contracts/admin/queues';
import { CallOutcome } from '@/server/contracts/call';
import { Direction } from '@/server/contracts/admin/call-history';
import { FormErrorMessage } from '../../_components/ui/form-error-message';
import { Input, Select } from '../../_components/ui/inputs';
import { DIRECTION_TEXT, OUTCOME_TEXT } from '../_lib/call-words';
import { useApi } from '../_lib/use-api';

/**
 * The history's filter bar. Choices apply at once; typed fields (the caller's number, talk
 * times) apply on Enter or when the field is left, so a half-typed number does not reload the
 * table on every key. Each field shows the API's message for it when the server refused it.
 */
export function HistoryFilters({ f, set, errors }: { f: Record<string, string>; set(patch: Record<string, string>, how?: 'push' | 'replace'): void; errors: Record<string, string> }) {
  const queues = useApi<QueueOption[]>('/api/admin/queue-options');
  const people = useApi<Page<PersonRow>>('/api/admin/people?role=OPERATOR&pageSize=100&sort=name');
  const codes = useApi<CodeRow[]>('/api/admin/codes/disposition');
  return (
    <div className="mb-3 grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-5" role="search" aria-label="Filter the calls">
      <Field label="From day" error={errors.from} id="from">
        <Input type="date" value={f.from} onChange={(e) => set({ from: e.target.value })} data-testid="history-from" aria-invalid={!!errors.from} />
      </Field>
      <Field label="To day (included)" error={errors.to} id="to">
        <Input type="date" value={f.to} onChange={(e) => set({ to: e.target.value })} data-testid="history-to" aria-invalid={!!errors.to} />
      </Field>
      <Field label="Queue" error={errors.queue} id="queue">
        <Select value={f.queue} onChange={(e) => set({ queue: e.target.value })} data-testid="history-queue">
          <option value="">All queues</option>
          {queues.data?.map((q) => (
            <option key={q.id} value={q.id}>
              {q.name}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Operator" error={errors.operator} id="operator">
        <Select value={f.operator} onChange={(e) => set({ operator: e.target.value })} data-testid="history-operator">
          <option value="">Everyone</option>
          {people.data?.rows.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="How it ended" error={errors.outcome} id="outcome">
        <Select value={f.outcome} onChange={(e) => set({ outcome: e.target.value })} data-testid="history-outcome">
          <option value="">Any way</option>
          {CallOutcome.options.map((o) => (
            <option key={o} value={o}>
              {OUTCOME_TEXT[o]}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Caller's number starts with" error={errors.caller} id="caller">
        <Typed value={f.caller ?? ''} onChange={(caller) => set({ caller }, 'replace')} testId="history-caller" placeholder="+44 1632" invalid={!!errors.caller} inputMode="tel" />
      </Field>
      <Field label="Talked at least (s)" error={errors.minTalk} id="minTalk">
        <Typed value={f.minTalk ?? ''} onChange={(minTalk) => set({ minTalk }, 'replace')} testId="history-min-talk" invalid={!!errors.minTalk} inputMode="numeric" />
      </Field>
      <Field label="Talked at most (s)" error={errors.maxTalk} id="maxTalk">
        <Typed value={f.maxTalk ?? ''} onChange={(maxTalk) => set({ maxTalk }, 'replace')} testId="history-max-talk" invalid={!!errors.maxTalk} inputMode="numeric" />
      </Field>
      <Field label="Outcome chosen" error={errors.disposition} id="disposition">
        <Select value={f.disposition} onChange={(e) => set({ disposition: e.target.value })} data-testid="history-disposition">
          <option value="">Any</option>
          {codes.data?.map((c) => (
            <option key={c.id} value={c.code}>
              {c.label}
              {c.active ? '' : ' (retired)'}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Direction" error={errors.direction} id="direction">
        <Select value={f.direction} onChange={(e) => set({ direction: e.target.value })} data-testid="history-direction">
          <option value="">Both</option>
          {Direction.options.map((d) => (
            <option key={d} value={d}>
              {DIRECTION_TEXT[d]}
            </option>
          ))}
        </Select>
      </Field>
    </div>
  );
}

function Field({ label, error, id, children }: { label: string; error: string | undefined; id: string; children: ReactNode }) {
  return (
    <label className="grid content-start gap-1">
      <span className="font-semibold">{label}</span>
      {children}
      <FormErrorMessage message={error} testId={`history-error-${id}`} />
    </label>
  );
}

/** A text field applied on Enter or when left (not on every key). */
function Typed({ value, onChange, testId, placeholder, invalid, inputMode }: { value: string; onChange(v: string): void; testId: string; placeholder?: string; invalid: boolean; inputMode: 'tel' | 'numeric' }) {
  return (
    <Input
      type="search"
      defaultValue={value}
      key={value}
      placeholder={placeholder}
      inputMode={inputMode}
      aria-invalid={invalid}
      onKeyDown={(e) => e.key === 'Enter' && onChange(e.currentTarget.value.trim())}
      onBlur={(e) => e.currentTarget.value.trim() !== value && onChange(e.currentTarget.value.trim())}
      data-testid={testId}
    />
  );
}
