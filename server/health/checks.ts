import type { Acd } from '../acd/acd';
import type { PrismaClient } from '../db/database';
import type { Logger } from '../log';
import type { UaBank } from '../cti/ua-bank/ua-bank';
import type { CheckVerdict, HealthCheck } from './health';

/** What the readiness check reads of a bank: its UAs, and (several ACD nodes) each node's. */
export interface BankFigures {
  figures(): { registered: boolean[] };
  /** several ACD nodes (bank-set.ts): each node's UAs, in ACD_SIP_WS_URL order */
  nodeRegistrations?(): Array<{ registered: number; size: number }>;
}

/**
 * The database answers a real round trip (`SELECT 1`). One query at most is outstanding: while
 * it hangs (a network that drops packets) later probes report how long it has hung instead of
 * piling more queries onto the pool. The driver's error is logged, never answered: it may name
 * the host, the user or more.
 */
export function databaseCheck(prisma: Pick<PrismaClient, '$queryRaw'>, logger: Logger): HealthCheck {
  const log = logger.child({ part: 'web', module: 'health' });
  let pending: { since: number; done: Promise<string | null> } | null = null;
  return {
    name: 'database',
    run(timeoutMs) {
      if (pending && Date.now() - pending.since >= timeoutMs) {
        return Promise.resolve(`the database has not answered for ${Math.round((Date.now() - pending.since) / 1000)} s`);
      }
      if (!pending) {
        const p = {
          since: Date.now(),
          done: prisma.$queryRaw`SELECT 1`.then(
            () => null,
            (err: unknown) => {
              log.warn({ err }, 'health: the database check failed');
              return 'the database refused or dropped the connection';
            },
          ),
        };
        pending = p;
        void p.done.finally(() => pending === p && (pending = null));
      }
      return pending.done;
    },
  };
}

/** Every listening SIP transport of the ACD answers an OPTIONS it sends itself (Acd.probeTransports). */
export function sipTransportsCheck(acd: Pick<Acd, 'probeTransports'>): HealthCheck {
  return {
    name: 'sip_transports',
    async run(timeoutMs) {
      // the probes' own bound is a little under the check's, so a slow one is named, not just late
      const probes = await acd.probeTransports(Math.max(50, timeoutMs - 100));
      const bad = probes.filter((p) => !p.ok);
      return bad.length === 0 ? null : bad.map((p) => p.reason).join('; ');
    },
  };
}

/**
 * rtpengine answers an NG ping (MEDIA_ENGINE=rtpengine): without it the ACD can anchor no new
 * call. One ping at most is outstanding (a dead daemon's pings wait out the NG timeout).
 */
export function rtpengineCheck(media: { probe(): Promise<boolean> }): HealthCheck {
  let pending: Promise<boolean> | null = null;
  return {
    name: 'rtpengine',
    async run() {
      const p = (pending ??= media.probe().finally(() => pending === p && (pending = null)));
      return (await p) ? null : 'rtpengine does not answer NG pings: no new call can be anchored';
    },
  };
}

/**
 * Every UA of the CTI's bank holds its registration with the ACD (else calls cannot reach the CTI,
 * or fewer can). Several ACD nodes: ready while any node's bank is registered (the others' callers
 * go to the live nodes through Kamailio), `detail` naming the nodes down or short of UAs by their
 * place in ACD_SIP_WS_URL (an address is not shown to anonymous probes; the log names the URL);
 * not ready only when no node's bank is registered.
 */
export function bankCheck(bank: BankFigures | Pick<UaBank, 'figures'>): HealthCheck {
  return {
    name: 'cti_bank',
    run() {
      return Promise.resolve(bankVerdict(bank));
    },
  };
}

function bankVerdict(bank: BankFigures): CheckVerdict {
  const nodes = bank.nodeRegistrations?.();
  if (!nodes || nodes.length < 2) {
    const r = bank.figures().registered;
    const down = r.filter((up) => !up).length;
    return down === 0 ? null : `${down} of ${r.length} bank user agents are not registered with the ACD`;
  }
  const words = nodes.flatMap((n, i) =>
    n.registered === n.size ? [] : [n.registered === 0 ? `ACD node ${i + 1} of ${nodes.length} is down (none of its ${n.size} bank user agents is registered)` : `ACD node ${i + 1} of ${nodes.length}: ${n.size - n.registered} of ${n.size} bank user agents are not registered`],
  );
  if (words.length === 0) return null;
  if (nodes.every((n) => n.registered === 0)) return `no ACD node has a registered bank: ${words.join('; ')}`;
  return { degraded: words.join('; ') };
}
