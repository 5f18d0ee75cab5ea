'use client';
import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { CODE_KIND_LABEL, CodeCreate, type CodeKind, type CodeRow } from '@/server/contracts/admin/codes';
import { api } from '../../_lib/api';
import { Button } from '../../_components/ui/button';
import { Dialog } from '../../_components/ui/dialog';
import { FormField } from '../../_components/ui/form-field';
import { Checkbox, Input } from '../../_components/ui/inputs';
import { applyServerErrors } from '../_lib/server-errors';
import { Banner } from '../_parts/page-frame';

type Values = z.input<typeof CodeCreate>;
const KNOWN = ['code', 'label', 'active', 'position'] as const;

/** Adds or edits one code. Codes are retired (unticked), never deleted, so stored history keeps its meaning. */
export function CodeDialog({ kind, code, nextPosition, onClose, onSaved }: { kind: CodeKind; code: CodeRow | null; nextPosition: number; onClose(): void; onSaved(): void }) {
  const { register, control, handleSubmit, setError, formState } = useForm<Values>({
    resolver: zodResolver(CodeCreate),
    defaultValues: code ? { code: code.code, label: code.label, active: code.active, position: code.position } : { code: '', label: '', active: true, position: nextPosition },
  });
  const [banner, setBanner] = useState<string | null>(null);
  const submit = handleSubmit(async (values) => {
    const r = code
      ? await api(`/api/admin/codes/${kind}/${encodeURIComponent(code.id)}`, { method: 'PATCH', body: { ...values, version: code.version } })
      : await api(`/api/admin/codes/${kind}`, { method: 'POST', body: values });
    if (r.ok) return onSaved();
    setBanner(applyServerErrors(r, setError, KNOWN));
  });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={`${code ? 'Edit' : 'Add'}: ${CODE_KIND_LABEL[kind].toLowerCase()}`} testId="code-dialog">
      <form onSubmit={submit} noValidate className="grid gap-4">
        {banner && <Banner>{banner}</Banner>}
        <FormField control={control} name="code" label="Code" hint="What reports store: lower-case, no spaces.">
          {(p) => <Input {...p} {...register('code')} data-testid="code-code" />}
        </FormField>
        <FormField control={control} name="label" label="Label" hint="What operators see.">
          {(p) => <Input {...p} {...register('label')} data-testid="code-label" />}
        </FormField>
        <FormField control={control} name="position" label="Order">
          {(p) => <Input {...p} {...register('position', { valueAsNumber: true })} type="number" min={0} max={999} data-testid="code-position" />}
        </FormField>
        <label className="flex items-center gap-2 font-normal">
          <Checkbox {...register('active')} data-testid="code-active" /> In use (untick to retire it)
        </label>
        <div className="flex gap-2">
          <Button type="submit" variant="primary" disabled={formState.isSubmitting} data-testid="code-save">
            Save
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </div>
      </form>
    </Dialog>
  );
}
