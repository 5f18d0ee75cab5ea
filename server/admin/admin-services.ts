import type { Logger } from '../log';
import type { PrismaClient } from './admin-tx';
import { AdminWriter } from './admin-writer';
import { AuditQueryService } from './audit-query';
import { ChangePublisher } from './change-publisher';
import { CodesService } from './codes-service';
import { NumbersService } from './numbers-service';
import { PasswordService } from './password-service';
import { PeopleService } from './people-service';
import { QueuesService } from './queues-service';
import { NO_LIVE_CALLS, type LiveCallsPort } from './waiting-callers';

/**
 * The admin service layer, composed: the HTTP routes parse and authorise, then call one of
 * these. Server-only (Prisma, argon2, node:crypto); pages import only server/contracts/admin.
 */
export interface AdminServices {
  people: PeopleService;
  passwords: PasswordService;
  queues: QueuesService;
  numbers: NumbersService;
  codes: CodesService;
  audit: AuditQueryService;
  publisher: ChangePublisher;
}

export interface AdminServicesDeps {
  prisma: PrismaClient;
  logger: Logger;
  /** defaults to a fresh publisher (the composition root shares one with the CTI and the ACD) */
  publisher?: ChangePublisher;
  /** the CTI's view of calls in progress; defaults to "none known" */
  live?: LiveCallsPort;
  now?: () => number;
}

export function createAdminServices(deps: AdminServicesDeps): AdminServices {
  const publisher = deps.publisher ?? new ChangePublisher(deps.logger, deps.now);
  const writer = new AdminWriter(deps.prisma, publisher);
  const passwords = new PasswordService(deps.prisma, writer, deps.now);
  return {
    people: new PeopleService(deps.prisma, writer, passwords),
    passwords,
    queues: new QueuesService(deps.prisma, writer, deps.live ?? NO_LIVE_CALLS),
    numbers: new NumbersService(deps.prisma, writer),
    codes: new CodesService(deps.prisma, writer),
    audit: new AuditQueryService(deps.prisma),
    publisher,
  };
}
