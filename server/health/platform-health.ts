import type { Acd } from '../acd/acd';
import type { MediaEngine } from '../acd/media/media-engine';
import type { PrismaClient } from '../db/database';
import type { Logger } from '../log';
import { bankCheck, databaseCheck, rtpengineCheck, sipTransportsCheck, type BankFigures } from './checks';
import { Health, type HealthCheck, type HealthOptions } from './health';

/**
 * The readiness of the parts this process runs: the database always, the ACD's transports (and
 * rtpengine, with MEDIA_ENGINE=rtpengine) when it runs the ACD, the bank's registration when it runs the CTI. A process started for one role
 * passes only its own parts, and is ready when they are.
 */
export function platformHealth(
  parts: { prisma: Pick<PrismaClient, '$queryRaw'>; acd?: Pick<Acd, 'probeTransports'>; media?: MediaEngine; bank?: BankFigures; logger: Logger },
  opts?: HealthOptions,
): Health {
  const checks: HealthCheck[] = [databaseCheck(parts.prisma, parts.logger)];
  if (parts.acd) checks.push(sipTransportsCheck(parts.acd));
  // the ACD's media engine, when it depends on another process (rtpengine; the embedded one has no probe)
  const probe = parts.media?.probe?.bind(parts.media);
  if (probe) checks.push(rtpengineCheck({ probe }));
  if (parts.bank) checks.push(bankCheck(parts.bank));
  return new Health(checks, parts.logger, opts);
}
