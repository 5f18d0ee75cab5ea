import type { ReactNode } from 'react';
import { SiteHeader } from '../_components/site-header';
import { UserBox } from '../_components/user-box';
import { AdminNav } from './admin-nav';
import './admin.css';

/**
 * Every /admin page: the site header, the portal's one navigation, then the page. The page
 * gate (server/http/page-gate.ts) has already refused anyone who is not an admin or supervisor.
 */
export default function AdminLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <SiteHeader>
        <UserBox />
      </SiteHeader>
      <AdminNav />
      {children}
    </>
  );
}
