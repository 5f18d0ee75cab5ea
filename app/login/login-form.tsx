'use client';
import { useState, type FormEvent } from 'react';
import type { LoginResult } from '@/server/contracts/web-api';
import { destinationAfterLogin } from '../_lib/redirect';
import { api } from '../_lib/api';

type Fields = Partial<Record<'email' | 'password', string>>;

const sentence = (s: string | undefined) => (s ? s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.') : undefined);

export function LoginForm() {
  const [fields, setFields] = useState<Fields>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    setFields({});
    const r = await api<LoginResult>('/api/auth/login', {
      method: 'POST',
      body: { email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') },
    });
    if (r.ok) {
      const next = new URLSearchParams(window.location.search).get('next');
      window.location.assign(destinationAfterLogin(next, r.data.user.role));
      return; // keep the button busy while the next page loads
    }
    setBusy(false);
    if (r.error.code === 'BAD_REQUEST' && r.error.fields) {
      const f = { email: sentence(r.error.fields.email), password: sentence(r.error.fields.password) };
      setFields(f);
      // Put the keyboard where the first problem is.
      const first = f.email ? 'email' : f.password ? 'password' : null;
      if (first) (document.getElementById(first) as HTMLInputElement | null)?.focus();
      if (!r.error.fields.email && !r.error.fields.password) setError(r.error.message);
    } else if (r.error.code === 'UNAUTHENTICATED') {
      setError('The e-mail or the password is not right.');
    } else {
      setError(sentence(r.error.message) ?? 'Sign-in failed.');
    }
  }

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="login-form">
      <div className="field">
        <label htmlFor="email">E-mail</label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          aria-invalid={fields.email ? true : undefined}
          aria-describedby={fields.email ? 'email-error' : undefined}
          data-testid="login-email"
        />
        {fields.email && (
          <p className="field-error" id="email-error" data-testid="login-email-error">
            {fields.email}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={fields.password ? true : undefined}
          aria-describedby={fields.password ? 'password-error' : undefined}
          data-testid="login-password"
        />
        {fields.password && (
          <p className="field-error" id="password-error" data-testid="login-password-error">
            {fields.password}
          </p>
        )}
      </div>
      {error && (
        <p className="alert alert-error" role="alert" data-testid="login-error">
          {error}
        </p>
      )}
      <button type="submit" className="btn btn-primary" disabled={busy} data-testid="login-submit">
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
