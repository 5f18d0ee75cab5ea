import { Redis } from 'ioredis';
import type { Logger } from '../../log';
import type { Hold, ReservationStore, ReserveRequest } from '../ports/reservation-store';

/**
 * Holds in Redis, shared by every CTI node (docs/cti.md, "Several CTI nodes").
 *
 * Keys (all under `prefix`): `op:<operatorId>` = `<nodeId>|<callId>`, the hold; `node:<nodeId>`,
 * the node's heartbeat, set with a TTL and renewed at a third of it. A hold whose node has no
 * heartbeat is free: a killed node's holds lapse within the TTL with no one cleaning up. The
 * decision is one Lua script (Redis runs a script alone, start to end), so reading the hold,
 * checking its node and writing the new one cannot interleave with another node's attempt.
 * Why Lua rather than MULTI/WATCH: WATCH makes a losing node retry, and the check reaches a key
 * (the holder's heartbeat) only known once the hold is read; a script does both in one trip.
 *
 * The script builds the heartbeat key from the hold, so it is not declared in KEYS: fine on one
 * Redis (and Sentinel), not on Redis Cluster (see docs/cti.md).
 */
const RESERVE = `
local me = ARGV[1]
local nodes = ARGV[2]
local out = {}
if redis.call('EXISTS', nodes .. me) == 0 then
  for i = 1, #KEYS do out[i] = 0 end
  return out
end
for i, key in ipairs(KEYS) do
  local cur = redis.call('GET', key)
  local free = true
  if cur then
    local holder = string.sub(cur, 1, string.find(cur, '|', 1, true) - 1)
    if holder ~= me and redis.call('EXISTS', nodes .. holder) == 1 then free = false end
  end
  if free then
    redis.call('SET', key, me .. '|' .. ARGV[i + 2])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
`;

const RELEASE = `
local cur = redis.call('GET', KEYS[1])
if cur and string.sub(cur, 1, #ARGV[1] + 1) == ARGV[1] .. '|' then redis.call('DEL', KEYS[1]) return 1 end
return 0
`;

const HOLDER = `
local cur = redis.call('GET', KEYS[1])
if not cur then return false end
local holder = string.sub(cur, 1, string.find(cur, '|', 1, true) - 1)
if redis.call('EXISTS', ARGV[1] .. holder) == 0 then return false end
return cur
`;

export interface RedisReservationOptions {
  url: string;
  /** every key starts with it (tests: one per test, so parallel runs never meet) */
  prefix: string;
  nodeId: string;
  logger: Logger;
  /** how long a silent node's holds survive it (default 5 s) */
  heartbeatTtlMs?: number;
  /** a command Redis does not answer within this fails (reserve: false) (default 2 s) */
  commandTimeoutMs?: number;
}

/** The scripts `defineCommand` adds to the client (ioredis types them only by declaration merging). */
interface Scripts {
  pbReserve(numKeys: number, ...args: string[]): Promise<number[]>;
  pbRelease(key: string, nodeId: string): Promise<number>;
  pbHolder(key: string, nodesPrefix: string): Promise<string | null>;
}

export class RedisReservationStore implements ReservationStore {
  readonly nodeId: string;
  readonly shared = true;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly log: Logger;
  private heartbeat: NodeJS.Timeout | null = null;
  /** operators this node holds, let go of on close */
  private readonly mine = new Set<string>();
  private closing: Promise<void> | null = null;

  private constructor(o: RedisReservationOptions) {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(o.nodeId)) throw new Error(`bad CTI node id: ${o.nodeId}`);
    this.nodeId = o.nodeId;
    this.prefix = o.prefix;
    this.ttlMs = o.heartbeatTtlMs ?? 5_000;
    this.log = o.logger.child({ module: 'reservations', nodeId: o.nodeId });
    this.redis = new Redis(o.url, { commandTimeout: o.commandTimeoutMs ?? 2_000, maxRetriesPerRequest: 2, lazyConnect: true });
    this.redis.on('error', (err: Error) => this.log.warn({ err: err.message }, 'redis connection error'));
    this.redis.defineCommand('pbReserve', { lua: RESERVE });
    this.redis.defineCommand('pbRelease', { lua: RELEASE, numberOfKeys: 1 });
    this.redis.defineCommand('pbHolder', { lua: HOLDER, numberOfKeys: 1 });
  }

  /** Connects and starts the heartbeat: holds can be taken once this resolves. */
  static async open(o: RedisReservationOptions): Promise<RedisReservationStore> {
    const s = new RedisReservationStore(o);
    await s.redis.connect();
    await s.beat();
    s.heartbeat = setInterval(() => void s.beat(), Math.max(100, Math.floor(s.ttlMs / 3)));
    s.heartbeat.unref();
    s.log.info({ heartbeatTtlMs: s.ttlMs }, 'reservations in redis');
    return s;
  }

  private get scripts(): Scripts {
    return this.redis as unknown as Scripts;
  }

  private opKey(operatorId: string): string {
    return `${this.prefix}op:${operatorId}`;
  }

  private get nodesPrefix(): string {
    return `${this.prefix}node:`;
  }

  private async beat(): Promise<void> {
    try {
      await this.redis.set(this.nodesPrefix + this.nodeId, String(Date.now()), 'PX', this.ttlMs);
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'redis heartbeat failed; this node’s holds lapse if it goes on');
    }
  }

  async reserve(requests: readonly ReserveRequest[]): Promise<boolean[]> {
    if (requests.length === 0 || this.closing) return requests.map(() => false);
    try {
      const out = await this.scripts.pbReserve(requests.length, ...requests.map((r) => this.opKey(r.operatorId)), this.nodeId, this.nodesPrefix, ...requests.map((r) => r.callId));
      return requests.map((r, i) => {
        const ok = out[i] === 1;
        if (ok) this.mine.add(r.operatorId);
        return ok;
      });
    } catch (err) {
      this.log.error({ err: (err as Error).message, operators: requests.length }, 'redis reservation failed; nobody offered');
      return requests.map(() => false);
    }
  }

  async release(operatorId: string): Promise<void> {
    this.mine.delete(operatorId);
    try {
      await this.scripts.pbRelease(this.opKey(operatorId), this.nodeId);
    } catch (err) {
      // harmless for this node (its own reserve overrides its own stale hold); others see it until this node stops
      this.log.warn({ err: (err as Error).message, operatorId }, 'redis release failed');
    }
  }

  async take(operatorId: string, callId: string): Promise<void> {
    if (this.closing) return;
    this.mine.add(operatorId);
    try {
      await this.redis.set(this.opKey(operatorId), `${this.nodeId}|${callId}`);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, operatorId }, 'redis take failed');
    }
  }

  async holder(operatorId: string): Promise<Hold | null> {
    const cur = await this.scripts.pbHolder(this.opKey(operatorId), this.nodesPrefix);
    if (!cur) return null;
    const i = cur.indexOf('|');
    return { nodeId: cur.slice(0, i), callId: cur.slice(i + 1) };
  }

  /** The node dies as under SIGKILL: no release, no heartbeat (tests of a holder's death). */
  crash(): void {
    this.closing ??= Promise.resolve();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.redis.disconnect();
  }

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
      try {
        // without the heartbeat every hold of this node is free at once; the keys go too
        await this.redis.del(this.nodesPrefix + this.nodeId);
        for (const id of this.mine) await this.scripts.pbRelease(this.opKey(id), this.nodeId);
        await this.redis.quit();
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'redis close');
        this.redis.disconnect();
      }
    })());
  }
}
