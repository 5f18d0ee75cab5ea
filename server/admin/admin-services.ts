import type { Logger } from '../log';
import type { Speech } from './press-one-clip';
import type { PrismaClient } from './admin-tx';
import { AdminWriter } from './admin-writer';
import { AudioService } from './audio-service';
import { AuditQueryService } from './audit-query';
import { ChangePublisher } from './change-publisher';
import { CodesService } from './codes-service';
import { DialingService } from './dialing-service';
import { NumbersService } from './numbers-service';
import { PasswordService } from './password-service';
import { PeopleService } from './people-service';
import { QueuesService } from './queues-service';
import { SchedulesService } from './schedules-service';
import { NO_TRUNK_STATUS, TrunksService, type TrunkStatusPort } from './trunks-service';
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
  trunks: TrunksService;
  codes: CodesService;
  dialing: DialingService;
  schedules: SchedulesService;
  audio: AudioService;
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
  /** PATCHBAY_SECRET, the key trunk passwords are stored under; without it a trunk password is refused */
  secret?: string;
  /** the ACD's trunk registrations; defaults to "none loaded" */
  trunkStatus?: TrunkStatusPort;
  now?: () => number;
  /**
   * Says each queue's press-1 sentence with its name after a save (espeakSpeech in main.ts).
   * Without it queues keep the built-in sentence: tests that save queues do not pay seconds of
   * synthesis and a second, late write per save.
   */
  speech?: Speech;
}

export function createAdminServices(deps: AdminServicesDeps): AdminServices {
  const publisher = deps.publisher ?? new ChangePublisher(deps.logger, deps.now);
  const writer = new AdminWriter(deps.prisma, publisher);
  const passwords = new PasswordService(deps.prisma, writer, deps.now);
  return {
    people: new PeopleService(deps.prisma, writer, passwords),
    passwords,
    queues: new QueuesService(deps.prisma, writer, deps.live ?? NO_LIVE_CALLS, deps.logger.child({ part: 'admin', module: 'queues' }), deps.speech ?? null),
    numbers: new NumbersService(deps.prisma, writer),
    trunks: new TrunksService(deps.prisma, writer, deps.secret ?? null, deps.trunkStatus ?? NO_TRUNK_STATUS, deps.now),
    codes: new CodesService(deps.prisma, writer),
    dialing: new DialingService(deps.prisma, writer),
    schedules: new SchedulesService(deps.prisma, writer, deps.now),
    audio: new AudioService(deps.prisma, writer, deps.logger.child({ part: 'admin', module: 'audio-library' })),
    audit: new AuditQueryService(deps.prisma),
    publisher,
  };
}
