import type { Metadata } from 'next';
import { SiteHeader } from '../_components/site-header';
import { SetPasswordForm } from './set-password-form';
import '../admin/admin.css';

export const metadata: Metadata = { title: 'Set your password' };

/**
 * Two ways in: a one-time link from an admin (`#token=…`: the fragment never reaches a server
 * log or a Referer), or a signed-in person the page gate sent here because an admin asked them
 * to change their password.
 */
export default function SetPasswordPage() {
  return (
    <>
      <SiteHeader />
      <main id="main" className="page narrow">
        <h1>Set your password</h1>
        <SetPasswordForm />
      </main>
    </>
  );
}
