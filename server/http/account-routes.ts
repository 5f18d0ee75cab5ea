import type { AdminServices } from '../admin/admin-services';
import { OwnPasswordChange, PasswordLinkUse } from '../contracts/admin/people';
import { actorOf, body, ok, route, type Route } from './route-table';

/** A person's own password: through a one-time link (no session), or signed in (also a forced change). */
export function accountRoutes(admin: AdminServices, bodyLimit: number): Route[] {
  return [
    route('POST', '/api/auth/set-password', 'public', async (c) => ok(c.res, await admin.passwords.useLink(await body(c, PasswordLinkUse, bodyLimit)))),
    route('POST', '/api/account/password', 'signed-in', async (c) => {
      await admin.passwords.changeOwn(actorOf(c), await body(c, OwnPasswordChange, bodyLimit));
      ok(c.res, { changed: true });
    }),
  ];
}
