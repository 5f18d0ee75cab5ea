import type { Acd } from '../acd/acd';
import type { UaBank } from '../cti/ua-bank/ua-bank';
import type { PrismaClient } from '../db/database';
import type { Logger } from '../log';
import { bankCheck, databaseCheck, sipTransportsCheck, type BankFigures } from './checks';
import { Health, type HealthCheck, type HealthOptions } from './health';

/**
 * The readiness of the parts this process runs: the database always, the ACD's transports when
 * it runs the ACD, the bank's registration when it runs the CTI. A process started for one role
 * passes only its own parts, and is ready when they are.
 */
export function platformHealth(parts: { prisma: Pick<PrismaClient, '$queryRaw'>; acd?: Pick<Acd, 'probeTransports'>; bank?: BankFigures; logger: Logger }, opts?: HealthOptions): Health {
  const checks: HealthCheck[] = [databaseCheck(parts.prisma, parts.logger)];
  if (parts.acd) checks.push(sipTransportsCheck(parts.acd));
  if (parts.bank) checks.push(bankCheck(parts.bank));
  return new Health(checks, parts.logger, opts);
}
