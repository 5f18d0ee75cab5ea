import type { Metadata } from 'next';
import { SiteHeader } from '../_components/site-header';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in' };

export default function LoginPage() {
  return (
    <>
      <SiteHeader />
      <main id="main" className="page narrow">
        <h1>Sign in</h1>
        <LoginForm />
      </main>
    </>
  );
}
