import { io, type Socket } from 'socket.io-client';
import type { AgentView, ClientEvents, ServerEvents } from '../../server/contracts/socket-events';
import type { Response } from '../../server/contracts/result';
import { splitCommas, type SipRequest, type SipResponse } from '../../server/acd/sip/message';
import { SipWsClient, type ClientDialog } from '../../server/acd/test-support/sip-ws-client';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { openDatabase, type Database } from '../../server/db/database';
import { DEMO, seedDemo } from '../../server/db/seed';
import { connectPostgres, databaseUrl } from '../../server/test-support/postgres';
import { listenPort, RoleProcess } from '../roles/role-process';
import { KamailioProcess } from './kamailio-process';
import { SessionService } from '../../server/http/session-service';

/** What the tests of several ACD nodes behind Kamailio share (acd-nodes.test.ts, device-node.test.ts). */
const LO = '127.0.0.1';

export interface SiteOptions {
  /** names the scratch database and directory */
  name: string;
  secret: string;
  pingSec: number;
  frMs: number;
  nodeLostSec: number;
  /** the first of each node's 100 RTP ports: a block no other test uses (grep RTP_PORT_MIN, rtpPortRange, portRange in test/ and server/) */
  rtpBase: number;
}

/**
 * Two ACD processes, Kamailio running deploy/kamailio/kamailio.cfg in front of them on free
 * loopback ports, one CTI process whose bank registers with both, a scratch PostgreSQL database
 * seeded with the demo (wrap-up 0, max wait 1 h). `stop()` ends what it started, by pid.
 */
export class NodeSite {
  readonly acds: RoleProcess[] = [];
  cti!: RoleProcess;
  kam!: KamailioProcess;
  db!: Database;
  ports!: { kam: number; kamTcp: number; cti: number; nodes: Array<{ ws: number; udp: number; ops: number }> };
  readonly closers: Array<() => Promise<void> | void> = [];
  private admin!: pg.Client;
  private readonly dbName: string;
  private readonly dir: string;

  private constructor(private readonly o: SiteOptions) {
    this.dbName = `pb_${o.name}_${randomBytes(4).toString('hex')}`;
    this.dir = mkdtempSync(path.join(tmpdir(), `pb-${o.name}-`));
  }

  static async start(o: SiteOptions): Promise<NodeSite> {
    const site = new NodeSite(o);
    site.admin = await connectPostgres();
    await site.admin.query(`CREATE DATABASE "${site.dbName}"`);
    site.db = await openDatabase({ databaseUrl: databaseUrl(site.dbName), dataDir: site.dir });
    await seedDemo(site.db.prisma, { password: `${o.name}-demo-password` });
    await site.db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 0, maxWaitSec: 3600 } });
    site.ports = { kam: await listenPort('udp'), kamTcp: await listenPort('tcp'), cti: await listenPort('tcp'), nodes: [] };
    for (let i = 0; i < 2; i++) site.ports.nodes.push({ ws: await listenPort('tcp'), udp: await listenPort('udp'), ops: await listenPort('tcp') });
    for (let i = 0; i < 2; i++) site.acds.push(RoleProcess.spawn('acd', site.acdEnv(i)));
    await Promise.all(site.acds.map((a) => a.logLine('acd started', 120_000)));
    site.kam = await KamailioProcess.start({ listenPort: site.ports.kam, tcpPort: site.ports.kamTcp, nodes: site.ports.nodes.map((n) => n.udp), pingSec: o.pingSec, frMs: o.frMs });
    site.cti = RoleProcess.spawn('cti', site.ctiEnv());
    await site.cti.logLine('cti started', 120_000);
    return site;
  }

  acdEnv(i: number): Record<string, string> {
    const n = this.ports.nodes[i]!;
    const rtp = this.o.rtpBase + i * 100;
    return {
      LOG_LEVEL: 'info', HOST: LO, DATABASE_URL: databaseUrl(this.dbName), PATCHBAY_SECRET: this.o.secret, DATA_DIR: path.join(this.dir, `acd${i}`),
      SIP_WS_PORT: String(n.ws), SIP_UDP_PORT: String(n.udp), SIP_TCP_PORT: '0', SIP_TLS_PORT: '0', SIP_WSS_PORT: '0', RTP_PORT_MIN: String(rtp), RTP_PORT_MAX: String(rtp + 99), ACD_OPS_PORT: String(n.ops),
    };
  }

  ctiEnv(): Record<string, string> {
    return {
      LOG_LEVEL: 'info', HOST: LO, DATABASE_URL: databaseUrl(this.dbName), PATCHBAY_SECRET: this.o.secret, DATA_DIR: path.join(this.dir, 'cti'), CTI_PORT: String(this.ports.cti),
      ACD_SIP_WS_URL: this.ports.nodes.map((n) => `ws://${LO}:${n.ws}`).join(','), ACD_NODE_LOST_SEC: String(this.o.nodeLostSec), ACD_PUBLIC_HOST: LO, SIP_WS_PORT: String(this.ports.nodes[0]!.ws), SIP_UDP_PORT: String(this.ports.nodes[0]!.udp), SIP_TCP_PORT: '0',
    };
  }

  /** scratch directory of the run (SIPp's cwd) */
  get workDir(): string {
    return this.dir;
  }

  async stop(): Promise<void> {
    for (const c of this.closers.splice(0).reverse()) await c();
    this.cti?.kill();
    for (const a of this.acds) a.kill();
    await this.kam?.stop();
    await this.db?.close();
    await this.admin?.query(`DROP DATABASE IF EXISTS "${this.dbName}" WITH (FORCE)`);
    await this.admin?.end();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The log lines of a process whose `msg` is `msg`. */
export function logLines(p: RoleProcess, msg: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const l of p.output().split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      const rec = JSON.parse(l) as Record<string, unknown>;
      if (rec.msg === msg) out.push(rec);
    } catch {
      /* partial line */
    }
  }
  return out;
}
/** Kamailio's view of a node's route point (set 1): not down (never marked down, or up since). */
export function routePointUp(kam: KamailioProcess, port: number): boolean {
  const states = [...kam.output().matchAll(new RegExp(`ACD node (down|up): sip:route@127\\.0\\.0\\.1:${port} `, 'g'))];
  return states.at(-1)?.[1] !== 'down';
}

/** A socket event with an acknowledgement, as the console sends it. */
export const ask = <T>(s: Socket<ServerEvents, ClientEvents>, event: 'agent:device' | 'agent:ready' | 'agent:not-ready', payload: object) =>
  new Promise<Response<T>>((resolve) => (s.emit as (e: string, p: object, cb: (r: Response<T>) => void) => void)(event, payload, resolve));

/** An operator signed in at the CTI's socket, with every agent state it is pushed. */
export async function signIn(db: Database, ctiPort: number, userId: string, closers: Array<() => Promise<void> | void>) {
  const { setCookie } = await new SessionService({ prisma: db.prisma, ttlSec: 3600, secureCookie: false }).create(userId);
  // reconnecting as the console does: after a CTI restart the socket connects again by itself
  const socket: Socket<ServerEvents, ClientEvents> = io(`http://${LO}:${ctiPort}`, { extraHeaders: { cookie: setCookie.split(';')[0]! }, transports: ['websocket'], reconnectionDelay: 200, reconnectionDelayMax: 1000 });
  closers.push(() => void socket.close());
  const states: AgentView[] = [];
  socket.on('agent:state', (v) => void states.push(v));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return { socket, states };
}

/**
 * A caller through Kamailio that keeps the route set: the 200's Record-Route goes into the ACK's and
 * the BYE's Route (RFC 3261 §12.2.1.1), so they pass the front and reach the node that answered.
 */
export class ProxiedCaller {
  private constructor(
    readonly sip: SipWsClient,
    readonly number: string,
    private readonly kamPort: number,
    private readonly transport: 'udp' | 'tcp' = 'udp',
  ) {}

  static async open(kamPort: number, n: number, closers: Array<() => Promise<void> | void>, transport: 'udp' | 'tcp' = 'udp'): Promise<ProxiedCaller> {
    const sip = transport === 'tcp' ? await SipWsClient.stream(LO, kamPort, `caller${n}`) : await SipWsClient.udp(LO, kamPort, `caller${n}`);
    closers.push(() => sip.close());
    return new ProxiedCaller(sip, `+44770091${String(n).padStart(4, '0')}`, kamPort, transport);
  }

  async call(sdp: string, timeoutMs: number): Promise<{ ok: SipResponse; dialog: ClientDialog; route: string | null }> {
    const inv = this.sip.makeRequest('INVITE', `sip:${DEMO.number}@${LO}:${this.kamPort}${this.transport === 'tcp' ? ';transport=tcp' : ''}`, { body: sdp, from: `<sip:${this.number}@carrier.invalid>` });
    this.sip.send(inv);
    const ok = await this.sip.response(inv.headers.get('Call-ID')!, 'INVITE', true, timeoutMs);
    const dialog = this.sip.dialogFrom(inv, ok);
    // the UAC's route set is the Record-Route reversed (RFC 3261 §12.1.2); with a transport change
    // Kamailio records twice (its TCP and its UDP side): the entry facing this caller comes first
    const rr = ok.headers.getAll('Record-Route').flatMap((v) => splitCommas(v)).reverse();
    const route = rr.length ? rr.join(', ') : null;
    if (ok.status >= 200 && ok.status < 300) this.sip.send(this.routed(this.sip.inDialog('ACK', dialog), route));
    return { ok, dialog, route };
  }

  async hangUp(c: { dialog: ClientDialog; route: string | null }): Promise<number> {
    const bye = this.routed(this.sip.inDialog('BYE', c.dialog), c.route);
    this.sip.send(bye);
    return (await this.sip.response(c.dialog.callId, 'BYE', true, 5000)).status;
  }

  private routed(req: SipRequest, route: string | null): SipRequest {
    if (route) req.headers.append('Route', route);
    return req;
  }
}

