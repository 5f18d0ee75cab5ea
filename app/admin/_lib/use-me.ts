'use client';
import type { AuthUser } from '@/server/contracts/auth';
import { useApi } from './use-api';

/** The signed-in user; supervisors see the portal read-only (the API refuses their writes anyway). */
export function useMe() {
  const { data } = useApi<AuthUser>('/api/me');
  return { me: data, canEdit: data?.role === 'ADMIN' };
}
