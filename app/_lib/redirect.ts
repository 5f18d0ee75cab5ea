import type { Role } from '../../server/contracts/agent';
import { PAGE_ROLES, homeFor, safeNext } from '../../server/contracts/web-api';

/**
 * Where to go after signing in: the `next` the gate sent us with, when it is a path on this
 * site that this role may open; otherwise the role's own page. So an operator who followed an
 * old /admin link lands on /console instead of a 403.
 */
export function destinationAfterLogin(next: string | null, role: Role): string {
  const target = safeNext(next);
  if (!target) return homeFor(role);
  const path = target.split(/[?#]/)[0] ?? '';
  const rule = PAGE_ROLES.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`));
  return !rule || rule.roles.includes(role) ? target : homeFor(role);
}
