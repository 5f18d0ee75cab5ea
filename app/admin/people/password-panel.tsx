'use client';
import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { PasswordSet, type PasswordLink, type PersonRow } from '@/server/contracts/admin/people';
import { api } from '../../_lib/api';
import { Button } from '../../_components/ui/button';
import { Dialog } from '../../_components/ui/dialog';
import { FormField } from '../../_components/ui/form-field';
import { Checkbox, Input } from '../../_components/ui/inputs';
import { applyServerErrors } from '../_lib/server-errors';
import { Banner, Section } from '../_parts/page-frame';
import { LinkDialog } from './link-dialog';

/** Password actions for an existing person: set one now, or make a one-time link. */
export function PasswordPanel({ person, onChanged }: { person: PersonRow; onChanged(): void }) {
  const [setting, setSetting] = useState(false);
  const [link, setLink] = useState<PasswordLink | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <Section title="Password" hint="Passwords are never shown. A link works once and expires after three days.">
      {error && <Banner>{error}</Banner>}
      <div className="flex flex-wrap gap-2">
        <Button onClick={() => setSetting(true)} data-testid="password-set-open" disabled={!person.active}>
          Set a password
        </Button>
        <Button
          disabled={!person.active}
          data-testid="password-link-create"
          onClick={async () => {
            setError(null);
            const r = await api<PasswordLink>(`/api/admin/people/${encodeURIComponent(person.id)}/password-link`, { method: 'POST', body: {} });
            if (r.ok) setLink(r.data);
            else setError(r.error.message);
          }}
        >
          Create a set-password link
        </Button>
      </div>
      {setting && <SetPasswordDialog person={person} onDone={() => (setSetting(false), onChanged())} onCancel={() => setSetting(false)} />}
      {link && <LinkDialog link={link} name={person.name} onClose={() => setLink(null)} />}
    </Section>
  );
}

type Values = z.input<typeof PasswordSet>;

function SetPasswordDialog({ person, onDone, onCancel }: { person: PersonRow; onDone(): void; onCancel(): void }) {
  const { register, control, handleSubmit, setError, formState } = useForm<Values>({
    resolver: zodResolver(PasswordSet),
    defaultValues: { password: '', mustChangePassword: true, version: person.version },
  });
  const [banner, setBanner] = useState<string | null>(null);
  const submit = handleSubmit(async (values) => {
    const r = await api(`/api/admin/people/${encodeURIComponent(person.id)}/password`, { method: 'POST', body: values });
    if (r.ok) return onDone();
    setBanner(applyServerErrors(r, setError, ['password', 'mustChangePassword']));
  });
  return (
    <Dialog open onOpenChange={(o) => !o && onCancel()} title={`Set a password for ${person.name}`} description="Tell them the password another way than this page." testId="password-dialog">
      <form onSubmit={submit} noValidate className="grid gap-4">
        {banner && <Banner>{banner}</Banner>}
        <FormField control={control} name="password" label="New password" hint="At least 10 characters.">
          {(p) => <Input {...p} {...register('password')} type="password" autoComplete="new-password" data-testid="password-new" />}
        </FormField>
        <label className="flex items-center gap-2 font-normal">
          <Checkbox {...register('mustChangePassword')} data-testid="password-force" /> They must change it at their next sign-in
        </label>
        <div className="flex gap-2">
          <Button type="submit" variant="primary" disabled={formState.isSubmitting} data-testid="password-save">
            Set the password
          </Button>
          <Button onClick={onCancel}>Cancel</Button>
        </div>
      </form>
    </Dialog>
  );
}
