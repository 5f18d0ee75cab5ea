'use client';
import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { DialPrefixCreate, type DialPrefixRow } from '@/server/contracts/admin/dialing';
import { api } from '../../_lib/api';
import { Button } from '../../_components/ui/button';
import { FormField } from '../../_components/ui/form-field';
import { Input } from '../../_components/ui/inputs';
import { applyServerErrors } from '../_lib/server-errors';
import { useApi } from '../_lib/use-api';
import { useMe } from '../_lib/use-me';
import { Banner } from '../_parts/page-frame';

type Values = z.input<typeof DialPrefixCreate>;
const KNOWN = ['prefix', 'label'] as const;

/**
 * The numbers operators may call from the console (click-to-dial): a number must start with one
 * of these prefixes; with none, outbound calls are off. The guard against toll fraud — keep it
 * to the countries and ranges the center really calls. Admins add and remove; supervisors read.
 */
export function DialPrefixes() {
  const { data, error, reload } = useApi<DialPrefixRow[]>('/api/admin/dial-prefixes');
  const { canEdit } = useMe();
  const [banner, setBanner] = useState<string | null>(null);
  const { register, control, handleSubmit, setError, reset, formState } = useForm<Values>({ resolver: zodResolver(DialPrefixCreate), defaultValues: { prefix: '', label: '' } });
  const submit = handleSubmit(async (values) => {
    setBanner(null);
    const r = await api('/api/admin/dial-prefixes', { method: 'POST', body: values });
    if (!r.ok) return setBanner(applyServerErrors(r, setError, KNOWN));
    reset();
    reload();
  });
  const remove = async (row: DialPrefixRow) => {
    if (!window.confirm(`Stop operators calling numbers starting ${row.prefix}?`)) return;
    const r = await api(`/api/admin/dial-prefixes/${encodeURIComponent(row.id)}`, { method: 'DELETE' });
    setBanner(r.ok ? null : r.error.message);
    reload();
  };
  const rows = data ?? [];
  return (
    <section className="mt-8" aria-labelledby="dial-h" data-testid="dial-prefixes">
      <h2 id="dial-h" className="m-0 my-3">
        Numbers operators may call
      </h2>
      <p className="muted mt-0">
        Operators can dial a number from the console only when it starts with one of these prefixes (for example +44 for the UK, or +1555 for one US area). Calls leave through a trunk that
        allows calls out, showing that trunk&apos;s caller ID.
      </p>
      {error && <Banner>{error}</Banner>}
      {banner && <Banner>{banner}</Banner>}
      {rows.length === 0 ? (
        <p className="muted" data-testid="dial-prefixes-empty">
          {canEdit ? 'No prefix yet: operators cannot call out. Add the first one below.' : 'No prefix yet: operators cannot call out. An administrator can add prefixes.'}
        </p>
      ) : (
        <ul className="m-0 grid list-none gap-2 p-0" data-testid="dial-prefix-list">
          {rows.map((r) => (
            <li key={r.id} className="flex flex-wrap items-center justify-between gap-2 pb-2" style={{ borderBottom: '1px solid var(--border)' }} data-testid={`dial-prefix-${r.prefix}`}>
              <span>
                <span className="font-mono font-semibold">{r.prefix}</span> <span className="muted">— {r.label}</span>
              </span>
              {canEdit && (
                <Button size="sm" variant="quiet" onClick={() => void remove(r)} data-testid={`dial-prefix-remove-${r.prefix}`}>
                  Remove
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {canEdit && (
        <form onSubmit={submit} noValidate className="mt-4 grid max-w-xl gap-3 sm:grid-cols-[10rem_1fr_auto] sm:items-end">
          <FormField control={control} name="prefix" label="Prefix" hint="+ then digits">
            {(p) => <Input {...p} {...register('prefix')} inputMode="tel" placeholder="+44" data-testid="dial-prefix-prefix" />}
          </FormField>
          <FormField control={control} name="label" label="Label" hint="What it covers">
            {(p) => <Input {...p} {...register('label')} placeholder="UK" data-testid="dial-prefix-label" />}
          </FormField>
          <Button type="submit" variant="primary" disabled={formState.isSubmitting} data-testid="dial-prefix-add">
            Add
          </Button>
        </form>
      )}
    </section>
  );
}
