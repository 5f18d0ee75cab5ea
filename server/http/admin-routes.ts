import type { AdminServices } from '../admin/admin-services';
import { AuditQuery } from '../contracts/admin/audit';
import { CodeCreate, CodeKind, CodeUpdate } from '../contracts/admin/codes';
import { DialPrefixCreate } from '../contracts/admin/dialing';
import { NumberCreate, NumbersQuery, NumberUpdate } from '../contracts/admin/numbers';
import { E164Number, RowId } from '../contracts/admin/paging';
import { PasswordLinkCreate, PasswordSet, PeopleQuery, PersonCreate, PersonUpdate } from '../contracts/admin/people';
import { QueueCreate, QueuesQuery, QueueUpdate, VersionQuery } from '../contracts/admin/queues';
import { ScheduleCreate, SchedulesQuery, ScheduleUpdate } from '../contracts/admin/schedules';
import { TrunkCreate, TrunksQuery, TrunkUpdate } from '../contracts/admin/trunks';
import { ADMIN_ONLY, STAFF, actorOf, body, ok, param, query, route, type Route } from './route-table';

/**
 * The admin portal's API: supervisors and admins read, only admins write. Each handler parses,
 * then calls the admin service layer (server/admin), which authorises nothing itself — the
 * route table is the one place roles are decided.
 */
export function adminRoutes(admin: AdminServices, bodyLimit: number): Route[] {
  return [
    // People
    route('GET', '/api/admin/people', STAFF, async (c) => ok(c.res, await admin.people.list(query(c, PeopleQuery)))),
    route('GET', '/api/admin/people/:id', STAFF, async (c) => ok(c.res, await admin.people.get(param(c, 'id', RowId)))),
    route('POST', '/api/admin/people', ADMIN_ONLY, async (c) => ok(c.res, await admin.people.create(actorOf(c), await body(c, PersonCreate, bodyLimit)), 201)),
    route('PATCH', '/api/admin/people/:id', ADMIN_ONLY, async (c) => ok(c.res, await admin.people.update(actorOf(c), param(c, 'id', RowId), await body(c, PersonUpdate, bodyLimit)))),
    route('POST', '/api/admin/people/:id/password', ADMIN_ONLY, async (c) => ok(c.res, await admin.passwords.set(actorOf(c), param(c, 'id', RowId), await body(c, PasswordSet, bodyLimit)))),
    route('POST', '/api/admin/people/:id/password-link', ADMIN_ONLY, async (c) => {
      const id = param(c, 'id', RowId);
      await body(c, PasswordLinkCreate, bodyLimit);
      ok(c.res, await admin.passwords.createLink(actorOf(c), id), 201);
    }),

    // Queues
    route('GET', '/api/admin/queues', STAFF, async (c) => ok(c.res, await admin.queues.list(query(c, QueuesQuery)))),
    route('GET', '/api/admin/queue-options', STAFF, async (c) => ok(c.res, await admin.queues.options())),
    route('GET', '/api/admin/queues/:id', STAFF, async (c) => ok(c.res, await admin.queues.get(param(c, 'id', RowId)))),
    route('POST', '/api/admin/queues', ADMIN_ONLY, async (c) => ok(c.res, await admin.queues.create(actorOf(c), await body(c, QueueCreate, bodyLimit)), 201)),
    route('PATCH', '/api/admin/queues/:id', ADMIN_ONLY, async (c) => ok(c.res, await admin.queues.update(actorOf(c), param(c, 'id', RowId), await body(c, QueueUpdate, bodyLimit)))),
    route('DELETE', '/api/admin/queues/:id', ADMIN_ONLY, async (c) => {
      await admin.queues.remove(actorOf(c), param(c, 'id', RowId), query(c, VersionQuery).version);
      ok(c.res, { deleted: true });
    }),

    // Numbers
    route('GET', '/api/admin/numbers', STAFF, async (c) => ok(c.res, await admin.numbers.list(query(c, NumbersQuery)))),
    route('GET', '/api/admin/trunk-options', STAFF, async (c) => ok(c.res, await admin.numbers.trunkOptions())),
    route('GET', '/api/admin/numbers/:e164', STAFF, async (c) => ok(c.res, await admin.numbers.get(param(c, 'e164', E164Number)))),
    route('POST', '/api/admin/numbers', ADMIN_ONLY, async (c) => ok(c.res, await admin.numbers.create(actorOf(c), await body(c, NumberCreate, bodyLimit)), 201)),
    route('PATCH', '/api/admin/numbers/:e164', ADMIN_ONLY, async (c) => ok(c.res, await admin.numbers.update(actorOf(c), param(c, 'e164', E164Number), await body(c, NumberUpdate, bodyLimit)))),
    route('DELETE', '/api/admin/numbers/:e164', ADMIN_ONLY, async (c) => {
      await admin.numbers.remove(actorOf(c), param(c, 'e164', E164Number), query(c, VersionQuery).version);
      ok(c.res, { deleted: true });
    }),

    // Trunks (the password is write-only: no answer carries it)
    route('GET', '/api/admin/trunks', STAFF, async (c) => ok(c.res, await admin.trunks.list(query(c, TrunksQuery)))),
    route('GET', '/api/admin/trunk-status', STAFF, async (c) => ok(c.res, admin.trunks.status())),
    route('GET', '/api/admin/trunks/:id', STAFF, async (c) => ok(c.res, await admin.trunks.get(param(c, 'id', RowId)))),
    route('POST', '/api/admin/trunks', ADMIN_ONLY, async (c) => ok(c.res, await admin.trunks.create(actorOf(c), await body(c, TrunkCreate, bodyLimit)), 201)),
    route('PATCH', '/api/admin/trunks/:id', ADMIN_ONLY, async (c) => ok(c.res, await admin.trunks.update(actorOf(c), param(c, 'id', RowId), await body(c, TrunkUpdate, bodyLimit)))),
    route('DELETE', '/api/admin/trunks/:id', ADMIN_ONLY, async (c) => {
      await admin.trunks.remove(actorOf(c), param(c, 'id', RowId), query(c, VersionQuery).version);
      ok(c.res, { deleted: true });
    }),

    // Business hours
    route('GET', '/api/admin/schedules', STAFF, async (c) => ok(c.res, await admin.schedules.list(query(c, SchedulesQuery)))),
    route('GET', '/api/admin/schedule-options', STAFF, async (c) => ok(c.res, await admin.schedules.options())),
    route('GET', '/api/admin/schedules/:id', STAFF, async (c) => ok(c.res, await admin.schedules.get(param(c, 'id', RowId)))),
    route('POST', '/api/admin/schedules', ADMIN_ONLY, async (c) => ok(c.res, await admin.schedules.create(actorOf(c), await body(c, ScheduleCreate, bodyLimit)), 201)),
    route('PATCH', '/api/admin/schedules/:id', ADMIN_ONLY, async (c) => ok(c.res, await admin.schedules.update(actorOf(c), param(c, 'id', RowId), await body(c, ScheduleUpdate, bodyLimit)))),
    route('DELETE', '/api/admin/schedules/:id', ADMIN_ONLY, async (c) => {
      await admin.schedules.remove(actorOf(c), param(c, 'id', RowId), query(c, VersionQuery).version);
      ok(c.res, { deleted: true });
    }),

    // Not-ready reasons and wrap-up dispositions
    route('GET', '/api/admin/codes/:kind', STAFF, async (c) => ok(c.res, await admin.codes.list(param(c, 'kind', CodeKind)))),
    route('POST', '/api/admin/codes/:kind', ADMIN_ONLY, async (c) => ok(c.res, await admin.codes.create(actorOf(c), param(c, 'kind', CodeKind), await body(c, CodeCreate, bodyLimit)), 201)),
    route('PATCH', '/api/admin/codes/:kind/:id', ADMIN_ONLY, async (c) =>
      ok(c.res, await admin.codes.update(actorOf(c), param(c, 'kind', CodeKind), param(c, 'id', RowId), await body(c, CodeUpdate, bodyLimit))),
    ),

    // Outbound calls: the prefixes operators may dial
    route('GET', '/api/admin/dial-prefixes', STAFF, async (c) => ok(c.res, await admin.dialing.list())),
    route('POST', '/api/admin/dial-prefixes', ADMIN_ONLY, async (c) => ok(c.res, await admin.dialing.create(actorOf(c), await body(c, DialPrefixCreate, bodyLimit)), 201)),
    route('DELETE', '/api/admin/dial-prefixes/:id', ADMIN_ONLY, async (c) => ok(c.res, await admin.dialing.remove(actorOf(c), param(c, 'id', RowId)))),

    // Audit
    route('GET', '/api/admin/audit', STAFF, async (c) => ok(c.res, await admin.audit.list(query(c, AuditQuery)))),
  ];
}
