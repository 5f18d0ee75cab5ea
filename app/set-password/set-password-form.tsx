'use client';
import { zodResolver } from '@hookform/resolvers/zod';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { NewPassword, OwnPasswordChange } from '@/server/contracts/admin/people';
import type { AuthUser } from '@/server/contracts/auth';
import { homeFor, safeNext } from '@/server/contracts/web-api';
import { api } from '../_lib/api';
import { Button } from '../_components/ui/button';
import { FormErrorMessage, sentence } from '../_components/ui/form-error-message';
import { FormField } from '../_components/ui/form-field';
import { Input } from '../_components/ui/inputs';

const Repeat = { repeat: z.string() };
const same = (v: { password: string; repeat: string }) => v.password === v.repeat;
const sameMessage = { path: ['repeat'], message: 'the two passwords are not the same' };
const LinkForm = z.object({ password: NewPassword, ...Repeat }).refine(same, sameMessage);
const ChangeForm = z.object({ currentPassword: z.string().min(1, 'enter your current password'), password: NewPassword, ...Repeat }).refine(same, sameMessage);
type Mode = { kind: 'loading' } | { kind: 'link'; token: string } | { kind: 'change'; me: AuthUser } | { kind: 'none' };

export function SetPasswordForm() {
  const [mode, setMode] = useState<Mode>({ kind: 'loading' });
  useEffect(() => {
    const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
    if (token) {
      // keep the token out of the address bar (and history) once read
      window.history.replaceState(null, '', window.location.pathname + window.location.search);
      setMode({ kind: 'link', token });
      return;
    }
    void api<AuthUser>('/api/me').then((r) => setMode(r.ok ? { kind: 'change', me: r.data } : { kind: 'none' }));
  }, []);

  if (mode.kind === 'loading') return <p className="text-muted">Loading…</p>;
  if (mode.kind === 'none')
    return (
      <p data-testid="set-password-none">
        This page needs the link your admin sent you, or <Link href="/login">signing in</Link> first.
      </p>
    );
  return mode.kind === 'link' ? <WithLink token={mode.token} /> : <WhenSignedIn me={mode.me} />;
}

function WithLink({ token }: { token: string }) {
  const { register, control, handleSubmit, setError, formState } = useForm<z.input<typeof LinkForm>>({ resolver: zodResolver(LinkForm), defaultValues: { password: '', repeat: '' } });
  const [done, setDone] = useState<string | null>(null);
  const [banner, setBanner] = useState<string | null>(null);
  const submit = handleSubmit(async ({ password }) => {
    const r = await api<{ email: string }>('/api/auth/set-password', { method: 'POST', body: { token, password } });
    if (r.ok) return setDone(r.data.email);
    if (r.error.fields?.password) setError('password', { message: r.error.fields.password });
    else setBanner(sentence(r.error.fields?.token ?? r.error.message));
  });
  if (done)
    return (
      <p className="alert alert-info" role="status" data-testid="set-password-done">
        Your password is set. <Link href={`/login`}>Sign in</Link> as {done}.
      </p>
    );
  return (
    <form onSubmit={submit} noValidate className="form" data-testid="set-password-form">
      <p className="m-0 text-muted">Choose a password of at least 10 characters. This link works once.</p>
      <FormField control={control} name="password" label="New password">
        {(p) => <Input {...p} {...register('password')} type="password" autoComplete="new-password" autoFocus data-testid="set-password-new" />}
      </FormField>
      <FormField control={control} name="repeat" label="The same password again">
        {(p) => <Input {...p} {...register('repeat')} type="password" autoComplete="new-password" data-testid="set-password-repeat" />}
      </FormField>
      {banner && (
        <p className="alert alert-error" role="alert" data-testid="set-password-error">
          {banner}
        </p>
      )}
      <Button type="submit" variant="primary" disabled={formState.isSubmitting} data-testid="set-password-submit">
        Set my password
      </Button>
    </form>
  );
}

function WhenSignedIn({ me }: { me: AuthUser }) {
  const { register, control, handleSubmit, setError, formState } = useForm<z.input<typeof ChangeForm>>({
    resolver: zodResolver(ChangeForm),
    defaultValues: { currentPassword: '', password: '', repeat: '' },
  });
  const [banner, setBanner] = useState<string | null>(null);
  const submit = handleSubmit(async ({ currentPassword, password }) => {
    const body: OwnPasswordChange = { currentPassword, password };
    const r = await api('/api/account/password', { method: 'POST', body });
    if (r.ok) {
      const next = safeNext(new URLSearchParams(window.location.search).get('next'));
      window.location.assign(next ?? homeFor(me.role));
      return;
    }
    const f = r.error.fields ?? {};
    if (f.currentPassword) setError('currentPassword', { message: f.currentPassword });
    if (f.password) setError('password', { message: f.password });
    if (!f.currentPassword && !f.password) setBanner(sentence(r.error.message));
  });
  return (
    <form onSubmit={submit} noValidate className="form" data-testid="change-password-form">
      <p className="m-0 text-muted">
        {me.name}, please choose a new password before you go on.
      </p>
      <FormField control={control} name="currentPassword" label="Current password">
        {(p) => <Input {...p} {...register('currentPassword')} type="password" autoComplete="current-password" autoFocus data-testid="change-current" />}
      </FormField>
      <FormField control={control} name="password" label="New password" hint="At least 10 characters.">
        {(p) => <Input {...p} {...register('password')} type="password" autoComplete="new-password" data-testid="change-new" />}
      </FormField>
      <FormField control={control} name="repeat" label="The same password again">
        {(p) => <Input {...p} {...register('repeat')} type="password" autoComplete="new-password" data-testid="change-repeat" />}
      </FormField>
      <FormErrorMessage message={banner ?? undefined} testId="change-error" />
      <Button type="submit" variant="primary" disabled={formState.isSubmitting} data-testid="change-submit">
        Change my password
      </Button>
    </form>
  );
}
