import { Redis } from 'ioredis';
import type { Logger } from '../../log';
import { TypedEmitter } from '../../shared/typed-emitter';
import { HANDOFF_TTL_MS, HandoffRecord, NodeSnapshot, SNAPSHOT_EVERY_MS, type ReadyOperator, type RoutingExchange, type WaitingCaller } from '../ports/routing-exchange';
import { NodeCalls, NodeLiveShare, type BoardExchange, type LiveShare, type SharedCall } from '../ports/board-exchange';

/**
 * The routing exchange over Redis (ports/routing-exchange.ts): snapshots of each node's Ready
 * operators on one pub/sub channel (`<prefix>routing:ready`, each node's message repeated every
 * second, so nothing is kept in keys and a dead node's picture simply stops), handoff records
 * as keys `<prefix>handoff:<legId>` with a TTL, taken with GETDEL (read and removed in one step:
 * exactly one node adopts a record). Two connections: pub/sub needs one of its own.
 *
 * The wallboard's exchange (ports/board-exchange.ts) rides the same two connections on its own
 * channel, `<prefix>wallboard`: call changes once each, the live share repeated with the snapshot.
 */
export class RedisRoutingExchange implements RoutingExchange, BoardExchange {
  readonly nodeId: string;
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private readonly channel: string;
  private readonly boardChannel: string;
  private lastLive: string | null = null;
  private readonly board: TypedEmitter<{ calls: { node: string; calls: SharedCall[] }; live: NodeLiveShare }>;
  private readonly prefix: string;
  private readonly log: Logger;
  private readonly emitter: TypedEmitter<{ snapshot: NodeSnapshot }>;
  private last: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;

  private constructor(o: { url: string; prefix: string; nodeId: string; logger: Logger }) {
    this.nodeId = o.nodeId;
    this.prefix = o.prefix;
    this.channel = `${o.prefix}routing:ready`;
    this.boardChannel = `${o.prefix}wallboard`;
    this.log = o.logger.child({ module: 'routing-exchange', nodeId: o.nodeId });
    this.emitter = new TypedEmitter((err) => this.log.error({ err }, 'routing exchange listener threw'));
    this.board = new TypedEmitter((err) => this.log.error({ err }, 'wallboard exchange listener threw'));
    this.cmd = new Redis(o.url, { lazyConnect: true, commandTimeout: 2_000, maxRetriesPerRequest: 2 });
    this.sub = this.cmd.duplicate();
    for (const c of [this.cmd, this.sub]) c.on('error', (err: Error) => this.log.warn({ err: err.message }, 'redis connection error'));
  }

  static async open(o: { url: string; prefix: string; nodeId: string; logger: Logger }): Promise<RedisRoutingExchange> {
    const x = new RedisRoutingExchange(o);
    await Promise.all([x.cmd.connect(), x.sub.connect()]);
    x.sub.on('message', (channel: string, message: string) => {
      if (channel === x.channel) x.received(message);
      else if (channel === x.boardChannel) x.boardReceived(message);
    });
    await x.sub.subscribe(x.channel, x.boardChannel);
    x.timer = setInterval(() => {
      x.send();
      x.sendLive();
    }, SNAPSHOT_EVERY_MS);
    x.timer.unref();
    x.log.info('routing across CTI nodes through redis');
    return x;
  }

  publish(ready: readonly ReadyOperator[], waiting: readonly WaitingCaller[]): void {
    this.last = `${JSON.stringify(ready.map((r) => [r.operatorId, r.idleSince]))},"waiting":${JSON.stringify(waiting)}`;
    this.send();
  }

  onSnapshot(listener: (s: NodeSnapshot) => void): () => void {
    return this.emitter.on('snapshot', listener);
  }

  publishCalls(calls: readonly SharedCall[]): void {
    if (this.closing || !calls.length) return;
    const message = `{"kind":"calls","node":${JSON.stringify(this.nodeId)},"calls":${JSON.stringify(calls)}}`;
    this.cmd.publish(this.boardChannel, message).catch((err: unknown) => this.log.warn({ err: (err as Error).message, calls: calls.length }, 'wallboard call changes not published'));
  }

  publishLive(share: LiveShare): void {
    this.lastLive = JSON.stringify(share.queues);
    this.sendLive();
  }

  onCalls(listener: (node: string, calls: SharedCall[]) => void): () => void {
    return this.board.on('calls', (m) => listener(m.node, m.calls));
  }

  onLive(listener: (s: NodeLiveShare) => void): () => void {
    return this.board.on('live', listener);
  }

  async putHandoff(legId: string, record: HandoffRecord): Promise<boolean> {
    try {
      await this.cmd.set(this.key(legId), JSON.stringify(record), 'PX', HANDOFF_TTL_MS);
      return true;
    } catch (err) {
      this.log.warn({ err: (err as Error).message, legId }, 'handoff record not stored');
      return false;
    }
  }

  async takeHandoff(legId: string): Promise<HandoffRecord | null> {
    let raw: string | null;
    try {
      raw = await this.cmd.getdel(this.key(legId));
    } catch (err) {
      this.log.warn({ err: (err as Error).message, legId }, 'handoff record not read');
      return null;
    }
    if (raw === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = null;
    }
    const r = HandoffRecord.safeParse(json);
    if (!r.success) {
      this.log.error({ legId, why: r.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) }, 'handoff record refused: schema');
      return null;
    }
    return r.data;
  }

  async dropHandoff(legId: string): Promise<void> {
    try {
      await this.cmd.del(this.key(legId));
    } catch (err) {
      this.log.warn({ err: (err as Error).message, legId }, 'handoff record not removed (it lapses)');
    }
  }

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      this.emitter.clear();
      this.board.clear();
      // an empty snapshot tells the others at once that nobody here is Ready any more, an empty share that nobody waits or works here
      this.last = '[]';
      await this.cmd.publish(this.channel, this.message()).catch(() => undefined);
      if (this.lastLive !== null) await this.cmd.publish(this.boardChannel, this.liveMessage('[]')).catch(() => undefined);
      await Promise.allSettled([this.cmd.quit(), this.sub.quit()]);
    })());
  }

  private key(legId: string): string {
    return `${this.prefix}handoff:${legId}`;
  }

  private message(): string {
    return `{"node":${JSON.stringify(this.nodeId)},"at":${Date.now()},"ready":${this.last ?? '[]'}}`;
  }

  private send(): void {
    if (this.closing || this.last === null) return;
    this.cmd.publish(this.channel, this.message()).catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'snapshot not published'));
  }

  private liveMessage(queues: string): string {
    return `{"kind":"live","node":${JSON.stringify(this.nodeId)},"at":${Date.now()},"queues":${queues}}`;
  }

  private sendLive(): void {
    if (this.closing || this.lastLive === null) return;
    this.cmd.publish(this.boardChannel, this.liveMessage(this.lastLive)).catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'wallboard share not published'));
  }

  private boardReceived(message: string): void {
    let json: { kind?: unknown; node?: unknown } | null;
    try {
      json = JSON.parse(message) as { kind?: unknown; node?: unknown };
    } catch {
      json = null;
    }
    if (json?.node === this.nodeId) return;
    const { kind, ...rest } = json ?? {};
    if (kind === 'calls') {
      const m = NodeCalls.safeParse(rest);
      if (m.success) return void this.board.emit('calls', m.data);
    } else if (kind === 'live') {
      const m = NodeLiveShare.safeParse(rest);
      if (m.success) return void this.board.emit('live', m.data);
    }
    this.log.warn({ kind: typeof kind === 'string' ? kind.slice(0, 16) : null }, 'wallboard message refused: schema');
  }

  private received(message: string): void {
    let json: unknown;
    try {
      const raw = JSON.parse(message) as { node?: unknown; at?: unknown; ready?: unknown };
      const ready = Array.isArray(raw.ready) ? raw.ready.map((e: unknown) => (Array.isArray(e) ? { operatorId: e[0], idleSince: e[1] } : e)) : raw.ready;
      json = { node: raw.node, at: raw.at, ready, waiting: (raw as { waiting?: unknown }).waiting };
    } catch {
      json = null;
    }
    const s = NodeSnapshot.safeParse(json);
    if (!s.success) {
      this.log.warn('routing snapshot refused: schema');
      return;
    }
    if (s.data.node === this.nodeId) return;
    this.emitter.emit('snapshot', s.data);
  }
}
