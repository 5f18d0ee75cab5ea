'use client';
import { useEffect, useState } from 'react';
import type { AuthUser } from '@/server/contracts/auth';
import { api, signOut } from '../_lib/api';

/** Who is signed in, and the sign-out button. `beforeSignOut` lets a page release its SIP device first. */
export function UserBox({ beforeSignOut }: { beforeSignOut?: () => Promise<void> | void }) {
  const [me, setMe] = useState<AuthUser | null>(null);
  useEffect(() => {
    let live = true;
    void api<AuthUser>('/api/me').then((r) => {
      if (live && r.ok) setMe(r.data);
    });
    return () => {
      live = false;
    };
  }, []);
  return (
    <div className="user-box">
      {me && (
        <span data-testid="user-name">
          {me.name} <span className="muted">· {me.role.toLowerCase()}</span>
        </span>
      )}
      <button
        type="button"
        className="btn btn-quiet"
        data-testid="sign-out"
        onClick={async () => {
          await beforeSignOut?.();
          await signOut();
        }}
      >
        Sign out
      </button>
    </div>
  );
}
