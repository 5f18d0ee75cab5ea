import type { Logger } from 'pino';
import { ROUTE_USER } from '../shared/sip-control';
import { formatReachNotice, REACH_CONTENT_TYPE, REACH_EVENT, type ReachNotice } from '../shared/sip-reach';
import type { ClientTransactions } from './client-transactions';
import type { LocalAddress } from './local-address';
import type { Binding, Registrar } from './registrar';
import { randomToken } from './sip/builders';
import { SipHeaders, type SipRequest } from './sip/message';

export interface ReachNoticesOptions {
  domain: string;
  registrar: Pick<Registrar, 'routeBindings' | 'reachableDevices'>;
  clientTx: Pick<ClientTransactions, 'send'>;
  local: LocalAddress;
  logger: Logger;
  running: () => boolean;
}

/**
 * Tells this node's bank which device AORs its registrar holds (docs/sip-control-dialect.md,
 * "Device reach"), so a CTI serving several nodes offers this node's callers only to devices it
 * can ring. A change (a device's first binding, its last one gone: expired, removed, its
 * connection closed) goes at once as a partial notice to one route binding; every registration of
 * a route binding (a bank UA new or refreshing) gets the full state — so a bank that was away, or
 * a notice lost with a connection, is made whole at the bank's next refresh.
 *
 * Only the bank learns anything: the notice goes on route bindings (bank users that passed
 * digest), names device AORs the CTI itself granted and nothing of the contacts behind them.
 */
export class ReachNotices {
  /** this process's versions; a restarted ACD starts a new epoch */
  private readonly epoch = randomToken(8);
  private version = 0;
  /** own rotation over a node's bank UAs, so notices do not move the callers' round-robin */
  private turn = 0;
  private readonly log: Logger;

  constructor(private readonly o: ReachNoticesOptions) {
    this.log = o.logger.child({ module: 'reach-notices' });
  }

  /**
   * A device AOR's reachability changed (Registrar's onDeviceReach): one partial notice to one
   * bank UA of each CTI node — every node routes this node's callers, and one told alone would
   * leave the others wrong until their next refresh.
   */
  deviceChanged(aor: string, reachable: boolean): void {
    if (!this.o.running()) return;
    // no bank now: it gets the full state when it registers
    const byNode = new Map<string, Binding[]>();
    for (const b of this.o.registrar.routeBindings()) {
      const key = b.node ?? '';
      byNode.set(key, [...(byNode.get(key) ?? []), b]);
    }
    if (!byNode.size) return;
    const version = ++this.version;
    const turn = this.turn++;
    for (const list of byNode.values()) {
      this.send(list[turn % list.length]!, { epoch: this.epoch, version, state: 'partial', devices: [{ aor, state: reachable ? 'active' : 'terminated' }] });
    }
  }

  /** A bank UA registered the route point (new or refreshed): the whole picture, to it. */
  routeRegistered(binding: Binding): void {
    if (!this.o.running()) return;
    const devices = this.o.registrar.reachableDevices().map((aor) => ({ aor, state: 'active' as const }));
    this.send(binding, { epoch: this.epoch, version: ++this.version, state: 'full', devices });
  }

  private send(binding: Binding, notice: ReachNotice): void {
    const { domain, local } = this.o;
    const flow = binding.flow;
    const headers = new SipHeaders()
      .append('Via', local.via(flow))
      .append('Max-Forwards', '70')
      .append('From', `<sip:acd@${domain}>;tag=${randomToken()}`)
      .append('To', `<sip:${ROUTE_USER}@${domain}>`)
      .append('Call-ID', `${randomToken(12)}@${domain}`)
      .append('CSeq', '1 NOTIFY')
      .append('Contact', local.contact(flow))
      .append('Event', REACH_EVENT)
      .append('Subscription-State', 'active')
      .append('Content-Type', REACH_CONTENT_TYPE);
    const req: SipRequest = { kind: 'request', method: 'NOTIFY', uri: `sip:${ROUTE_USER}@${domain}`, headers, body: formatReachNotice(notice) };
    this.log.debug({ bankUser: binding.authUser, version: notice.version, state: notice.state, devices: notice.devices.length }, 'device reach told to the bank');
    this.o.clientTx.send(req, flow, (res) => {
      if (res.status >= 300) this.log.warn({ bankUser: binding.authUser, status: res.status, version: notice.version }, 'the bank refused a device reach notice; the next full state corrects it');
    });
  }
}
