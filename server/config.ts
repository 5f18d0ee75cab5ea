import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { isTimeZone } from './cti/domain/report-day';
import { ROLE_REQUIRES, type Role } from './roles/role';

/**
 * The whole configuration, read from the environment once at boot and validated here.
 * Nothing else in server/ reads process.env. Every value has an embedded default so
 * `npm start` works on a fresh machine.
 */
const Env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Address the web server and the ACD bind to. */
  HOST: z.string().default('127.0.0.1'),
  /** Host name browsers use to reach us (URLs printed and given to devices). */
  PUBLIC_HOST: z.string().optional(),
  HTTP_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** The ACD's SIP-over-WebSocket port. */
  SIP_WS_PORT: z.coerce.number().int().min(1).max(65535).default(5062),
  /** SIP over UDP and TCP (RFC 3261 §18); 0 turns the transport off. */
  SIP_UDP_PORT: z.coerce.number().int().min(0).max(65535).default(5060),
  SIP_TCP_PORT: z.coerce.number().int().min(0).max(65535).default(5060),
  /** SIP over TLS and secure WebSocket: opened only when SIP_TLS_CERT and SIP_TLS_KEY are given. */
  SIP_TLS_PORT: z.coerce.number().int().min(0).max(65535).default(5061),
  SIP_WSS_PORT: z.coerce.number().int().min(0).max(65535).default(5063),
  /** PEM files: certificate chain and private key for TLS and WSS. */
  SIP_TLS_CERT: z.string().min(1).optional(),
  SIP_TLS_KEY: z.string().min(1).optional(),
  SIP_DOMAIN: z.string().regex(/^[a-z0-9.-]+$/).default('patchbay.local'),
  /**
   * CTI run alone (`--role cti`): the bank's URL of the ACD's SIP WebSocket (default: HOST and SIP_WS_PORT, one machine);
   * several ACD nodes (behind Kamailio, docs/deploy.md): their URLs, comma-separated — the bank registers with each.
   */
  ACD_SIP_WS_URL: z
    .string()
    .transform((s) => s.split(',').map((u) => u.trim()))
    .pipe(z.array(z.url({ protocol: /^wss?$/ })).min(1).max(16).refine((a) => new Set(a).size === a.length, 'each ACD node once'))
    .optional(),
  /** Host name devices (browsers, SIP phones) use to reach the ACD; default PUBLIC_HOST (one machine). */
  ACD_PUBLIC_HOST: z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, 'a host name or address').optional(),
  /** CTI run alone: the port its socket.io server listens on (HOST), which the web passes browsers' connections to. */
  CTI_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  /**
   * Web run alone (`--role web`): the CTI's socket.io URL it passes browsers' connections to, e.g.
   * http://10.0.0.2:3001; several CTI nodes: a comma-separated list (each console sticks to one, and
   * goes to the next when it does not answer: docs/deploy.md).
   */
  CTI_URL: z
    .string()
    .transform((v) => v.split(',').map((u) => u.trim()).filter((u) => u !== ''))
    .pipe(z.array(z.url({ protocol: /^https?$/ })).min(1))
    .optional(),
  /**
   * Several CTI nodes (docs/deploy.md): the Redis they share for operators' reservations and
   * socket.io's fan-out, e.g. redis://10.0.0.8:6379/0. Absent: one CTI, everything in memory.
   */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Every Redis key this site writes starts with it (one Redis may serve several sites or tests). */
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _.:-').default('patchbay:'),
  /** This CTI node's name among several (its holds in Redis and its bank UAs' identities); default cti-<host>-<pid>. */
  CTI_NODE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'letters, digits and _.-, at most 40').optional(),
  /** Where the embedded database and the generated secret live. */
  DATA_DIR: z.string().default('.data'),
  /** PostgreSQL URL; when absent the embedded PGlite database in DATA_DIR is used. */
  DATABASE_URL: z.string().url().optional(),
  /** Secret shared by the CTI and the ACD (device credentials, bank auth). Generated once when absent. */
  PATCHBAY_SECRET: z.string().min(32).optional(),
  /** Lifetime of device SIP credentials. */
  DEVICE_CRED_TTL_SEC: z.coerce.number().int().min(60).max(7 * 86400).default(12 * 3600),
  /**
   * Number of JsSIP user agents in the CTI's bank (per ACD node). 8: JsSIP scans every INVITE
   * server transaction of a UA on each new INVITE, so more UAs divide that scan (docs/benchmarks.md).
   */
  BANK_SIZE: z.coerce.number().int().min(1).max(64).default(8),
  /** Several ACD nodes: seconds a node may stay unreachable from the bank before its legs are given up (their calls end, operators freed). */
  ACD_NODE_LOST_SEC: z.coerce.number().int().min(1).max(3600).default(30),
  /** Seconds without RTP before the ACD releases a leg. */
  RTP_TIMEOUT_SEC: z.coerce.number().int().min(5).max(3600).default(30),
  /** IPv4 address plain RTP legs (trunks, SIP phones) bind to and advertise in SDP; default: HOST, or 127.0.0.1 when HOST is 0.0.0.0 or a name. */
  MEDIA_ADDRESS: z.ipv4().optional(),
  /** UDP port range for plain RTP legs (even ports used); both or neither. Absent: OS-chosen ports. */
  RTP_PORT_MIN: z.coerce.number().int().min(1024).max(65535).optional(),
  RTP_PORT_MAX: z.coerce.number().int().min(1024).max(65535).optional(),
  /** Which media engine the ACD anchors calls in: the embedded one (werift, in-process) or rtpengine (docs/media.md). */
  MEDIA_ENGINE: z.enum(['werift', 'rtpengine']).default('werift'),
  /** rtpengine's NG control socket (UDP) as host:port, e.g. 127.0.0.1:22222; required with MEDIA_ENGINE=rtpengine. */
  RTPENGINE_NG: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'host:port').optional(),
  /**
   * With MEDIA_ENGINE=rtpengine, which legs rtpengine anchors: `webrtc` (browsers; trunks' and SIP
   * phones' plain RTP stays on the embedded engine, the cheaper split) or `all` (when only
   * rtpengine's address may face the parties). docs/media.md, "Which legs rtpengine anchors".
   */
  RTPENGINE_LEGS: z.enum(['webrtc', 'all']).default('webrtc'),
  /** UDP ports for WebRTC legs' ICE (browsers), inclusive; absent: ports the OS picks. Give both. */
  ICE_PORT_MIN: z.coerce.number().int().min(1024).max(65535).optional(),
  ICE_PORT_MAX: z.coerce.number().int().min(1024).max(65535).optional(),
  /** Directory of announcement/hold clips (*.wav, 8 kHz 16-bit mono), each named after its file; optional. */
  ACD_AUDIO_DIR: z.string().min(1).optional(),
  /** Where the ACD writes bridge recordings (stereo WAV) the controller asks for; default <DATA_DIR>/recordings, created at boot. */
  RECORDINGS_DIR: z.string().min(1).optional(),
  /**
   * Where finished recordings are kept: `local` (the ACD's RECORDINGS_DIR, the embedded default)
   * or `s3` (an S3-compatible bucket for a site with several nodes; docs/recordings.md).
   */
  RECORDINGS_STORE: z.enum(['local', 's3']).default('local'),
  /** S3 only: the service's URL (MinIO, Ceph RGW…); absent = AWS's own endpoint for the region. */
  RECORDINGS_S3_ENDPOINT: z.url().optional(),
  RECORDINGS_S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name').optional(),
  RECORDINGS_S3_REGION: z.string().regex(/^[a-z0-9-]{2,32}$/).default('us-east-1'),
  /** Object key prefix, e.g. `site-a/` (absent: the file name is the key). */
  RECORDINGS_S3_PREFIX: z.string().regex(/^[A-Za-z0-9!_.*'()/-]{0,200}$/, 'letters, digits and !_.*\'()/-').default(''),
  /** Absent: the SDK's own chain (environment, instance role). Both or neither. */
  RECORDINGS_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  RECORDINGS_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Path-style URLs (`<endpoint>/<bucket>/<key>`), which most S3-compatible servers want; default: on when an endpoint is given. */
  RECORDINGS_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).optional(),
  /** How often the retention job deletes recordings older than their queue's retention (seconds). */
  RECORDING_RETENTION_INTERVAL_SEC: z.coerce.number().int().min(10).max(7 * 86400).default(3600),
  /** Retention of recordings whose queue was deleted (days). */
  RECORDING_RETENTION_DEFAULT_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** Seconds after a waiting caller's first key within which the ACD lets the CTI call them back (their own number or one they keyed); at least a queue's longest callback expiry (120 min). */
  /** Seconds an operator's device leg outlives its closed connection mid-call, waiting for it to come back (docs/acd-signalling.md, "Device reconnect"); 0 ends it at once. */
  /** After a CTI (re)start, how long its bank waits for the ACD's re-offers before closing stored calls the ACD no longer holds (docs/cti.md, Restart recovery). */
  CTI_RECOVERY_SETTLE_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
  /** The ACD and the CTI, each run alone, answer their probes and /metrics on this HTTP port (the CTI: on CTI_PORT). */
  ACD_OPS_PORT: z.coerce.number().int().min(1).max(65535).default(3002),
  DEVICE_RECONNECT_GRACE_SEC: z.coerce.number().int().min(0).max(600).default(20),
  CALLBACK_WINDOW_SEC: z.coerce.number().int().min(60).max(86400).default(7200),
  /** Seed the demo users, queue and number at boot (idempotent). */
  SEED_DEMO: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** Password for the demo users when they are first seeded (random and printed once when absent). */
  DEMO_PASSWORD: z.string().min(8).optional(),
  /** The site's reporting time zone (IANA name): the wallboard's "today" and the reports' days. */
  REPORT_TIME_ZONE: z
    .string()
    .default('UTC')
    .refine(isTimeZone, 'an IANA time zone name, e.g. Europe/London'),
  /** Session cookie lifetime. */
  SESSION_TTL_SEC: z.coerce.number().int().min(300).default(12 * 3600),
  /** Bearer token a Prometheus scraper presents to GET /metrics (absent: only a signed-in admin may read it). */
  METRICS_TOKEN: z.string().min(32, 'at least 32 characters').regex(/^[\x21-\x7e]+$/, 'printable ASCII, no spaces').optional(),
  /** Callers waiting to be bridged at which the ACD answers new callers 503 + Retry-After; 0: no ceiling. */
  OVERLOAD_MAX_WAITING: z.coerce.number().int().min(0).default(1000),
  /** Event-loop lag (p99 over a second, ms) at which the ACD refuses new callers; 0: no bound. */
  OVERLOAD_MAX_LAG_MS: z.coerce.number().int().min(0).default(1000),
  /** Sustained time (ms, median per second) the CTI takes to take a caller offered to its route point, at which the ACD refuses new callers; 0: no bound. */
  OVERLOAD_MAX_OFFER_MS: z.coerce.number().int().min(0).default(2000),
  /** Callers are admitted again once every signal is at or under this fraction of its ceiling. */
  OVERLOAD_RESUME_FRACTION: z.coerce.number().min(0).max(1).default(0.8),
  /** Retry-After (seconds) of the 503 a refused caller gets. */
  OVERLOAD_RETRY_AFTER_SEC: z.coerce.number().int().min(1).max(3600).default(30),
});

export interface Config {
  /** the part(s) this process runs (server/roles/role.ts) */
  role: Role;
  env: 'development' | 'production' | 'test';
  logLevel: string;
  host: string;
  publicHost: string;
  httpPort: number;
  sipWsPort: number;
  /** null: the transport is off. */
  sipUdpPort: number | null;
  sipTcpPort: number | null;
  /** null unless a certificate is configured. */
  sipTlsPort: number | null;
  sipWssPort: number | null;
  /** PEM contents read at boot; null when TLS is not configured. */
  sipTls: { cert: string; key: string } | null;
  sipDomain: string;
  /** the bank's URL of each ACD node (one or more); null: the ACD in this process or on this machine (HOST, SIP_WS_PORT) */
  acdSipWsUrls: string[] | null;
  /** host name devices reach the ACD at */
  acdPublicHost: string;
  /** the CTI's own socket.io port (role cti) */
  ctiPort: number;
  /** where the web passes socket.io to (role web), the first of `ctiUrls`; null: the CTI runs in this process */
  ctiUrl: string | null;
  /** every CTI node the web may pass socket.io to (empty: the CTI runs in this process) */
  ctiUrls: string[];
  /** the Redis several CTI nodes share; null: one node, in memory */
  redisUrl: string | null;
  redisKeyPrefix: string;
  /** this CTI node's name (reservations, bank identities) */
  ctiNodeId: string;
  dataDir: string;
  databaseUrl: string | null;
  secret: string;
  deviceCredTtlSec: number;
  bankSize: number;
  /** several ACD nodes: seconds before an unreachable node's legs are given up (ua-bank/bank-set.ts) */
  acdNodeLostSec: number;
  rtpTimeoutSec: number;
  mediaAddress: string;
  rtpPortRange: [number, number] | null;
  /** The ACD's media engine: embedded, or rtpengine at its NG address. */
  mediaEngine: { kind: 'werift' } | { kind: 'rtpengine'; ng: string; legs: 'webrtc' | 'all' };
  /** WebRTC legs' ICE ports; null: the OS picks */
  icePortRange: [number, number] | null;
  audioDir: string | null;
  /** Absolute directory of bridge recordings. */
  recordingsDir: string;
  /** Where finished recordings are kept (the secret key is never logged). */
  recordingStore: RecordingStoreConfig;
  recordingRetentionIntervalSec: number;
  recordingRetentionDefaultDays: number;
  seedDemo: boolean;
  demoPassword: string | null;
  sessionTtlSec: number;
  /** null: /metrics is for signed-in admins only. Never logged. */
  metricsToken: string | null;
  /** When the ACD refuses new callers (server/acd/overload). */
  overload: { maxWaiting: number; maxLagMs: number; maxOfferMs: number; resumeFraction: number; retryAfterSec: number };
  /** IANA time zone of the wallboard's "today" and the reports' days */
  reportTimeZone: string;
  /** the ACD's callback window (callback-ledger.ts) */
  callbackWindowSec: number;
  /** how long a device leg waits for its device to reconnect (calls/device-grace.ts) */
  deviceGraceSec: number;
  /** how long a starting CTI awaits the ACD's re-offers before closing what the ACD no longer holds */
  recoverySettleMs: number;
  /** the ACD's own probe and /metrics port when it runs alone (role acd) */
  acdOpsPort: number;
}

export type RecordingStoreConfig =
  | { kind: 'local' }
  | {
      kind: 's3';
      endpoint: string | null;
      bucket: string;
      region: string;
      prefix: string;
      forcePathStyle: boolean;
      /** null: the SDK's default credential chain */
      credentials: { accessKeyId: string; secretAccessKey: string } | null;
    };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parsed once at boot for `role`; a part run alone refuses to start without the shared settings it needs. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, role: Role = 'all'): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const missing = ROLE_REQUIRES[role].filter((r) => e[r.name as keyof typeof e] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(`invalid configuration for --role ${role}:\n${missing.map((m) => `  ${m.name}: required (${m.why})`).join('\n')}`);
  }
  // the ACD runs in these roles; rtpengine without its address cannot anchor a single call
  if ((role === 'all' || role === 'acd') && e.MEDIA_ENGINE === 'rtpengine' && e.RTPENGINE_NG === undefined) {
    throw new ConfigError(`invalid configuration for --role ${role}:\n  RTPENGINE_NG: required (MEDIA_ENGINE=rtpengine: the ACD drives rtpengine over NG at this host:port, e.g. 127.0.0.1:22222)`);
  }
  if ((e.RTP_PORT_MIN === undefined) !== (e.RTP_PORT_MAX === undefined) || (e.RTP_PORT_MIN ?? 0) >= (e.RTP_PORT_MAX ?? 1)) {
    throw new ConfigError('invalid configuration:\n  RTP_PORT_MIN/RTP_PORT_MAX: give both, min below max');
  }
  if ((e.ICE_PORT_MIN === undefined) !== (e.ICE_PORT_MAX === undefined) || (e.ICE_PORT_MIN ?? 0) >= (e.ICE_PORT_MAX ?? 1)) {
    throw new ConfigError('invalid configuration:\n  ICE_PORT_MIN/ICE_PORT_MAX: give both, min below max');
  }
  if (e.ICE_PORT_MIN !== undefined && e.RTP_PORT_MIN !== undefined && e.ICE_PORT_MIN <= e.RTP_PORT_MAX! && e.RTP_PORT_MIN <= e.ICE_PORT_MAX!) {
    throw new ConfigError('invalid configuration:\n  ICE_PORT_MIN/ICE_PORT_MAX: must not overlap RTP_PORT_MIN/RTP_PORT_MAX');
  }
  if ((e.SIP_TLS_CERT === undefined) !== (e.SIP_TLS_KEY === undefined)) {
    throw new ConfigError('invalid configuration:\n  SIP_TLS_CERT and SIP_TLS_KEY must be given together');
  }
  const sipTls = e.SIP_TLS_CERT && e.SIP_TLS_KEY ? { cert: readPem(e.SIP_TLS_CERT, 'SIP_TLS_CERT'), key: readPem(e.SIP_TLS_KEY, 'SIP_TLS_KEY') } : null;
  const dataDir = path.resolve(e.DATA_DIR);
  const recordingStore = recordingStoreOf(e);
  const publicHost = e.PUBLIC_HOST ?? (e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST);
  return {
    role,
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    publicHost,
    httpPort: e.HTTP_PORT,
    sipWsPort: e.SIP_WS_PORT,
    sipUdpPort: e.SIP_UDP_PORT || null,
    sipTcpPort: e.SIP_TCP_PORT || null,
    sipTlsPort: sipTls && e.SIP_TLS_PORT ? e.SIP_TLS_PORT : null,
    sipWssPort: sipTls && e.SIP_WSS_PORT ? e.SIP_WSS_PORT : null,
    sipTls,
    sipDomain: e.SIP_DOMAIN,
    acdSipWsUrls: e.ACD_SIP_WS_URL ?? null,
    acdPublicHost: e.ACD_PUBLIC_HOST ?? publicHost,
    ctiPort: e.CTI_PORT,
    ctiUrl: e.CTI_URL?.[0] ?? null,
    ctiUrls: e.CTI_URL ?? [],
    redisUrl: e.REDIS_URL ?? null,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    ctiNodeId: e.CTI_NODE_ID ?? `cti-${hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 24)}-${process.pid}`,
    dataDir,
    databaseUrl: e.DATABASE_URL ?? null,
    secret: e.PATCHBAY_SECRET ?? persistedSecret(dataDir),
    deviceCredTtlSec: e.DEVICE_CRED_TTL_SEC,
    bankSize: e.BANK_SIZE,
    acdNodeLostSec: e.ACD_NODE_LOST_SEC,
    rtpTimeoutSec: e.RTP_TIMEOUT_SEC,
    mediaAddress: e.MEDIA_ADDRESS ?? (/^\d+\.\d+\.\d+\.\d+$/.test(e.HOST) && e.HOST !== '0.0.0.0' ? e.HOST : '127.0.0.1'),
    rtpPortRange: e.RTP_PORT_MIN !== undefined && e.RTP_PORT_MAX !== undefined ? [e.RTP_PORT_MIN, e.RTP_PORT_MAX] : null,
    mediaEngine: e.MEDIA_ENGINE === 'rtpengine' && e.RTPENGINE_NG ? { kind: 'rtpengine', ng: e.RTPENGINE_NG, legs: e.RTPENGINE_LEGS } : { kind: 'werift' },
    icePortRange: e.ICE_PORT_MIN !== undefined && e.ICE_PORT_MAX !== undefined ? [e.ICE_PORT_MIN, e.ICE_PORT_MAX] : null,
    audioDir: e.ACD_AUDIO_DIR ? path.resolve(e.ACD_AUDIO_DIR) : null,
    recordingsDir: path.resolve(e.RECORDINGS_DIR ?? path.join(dataDir, 'recordings')),
    recordingStore,
    recordingRetentionIntervalSec: e.RECORDING_RETENTION_INTERVAL_SEC,
    recordingRetentionDefaultDays: e.RECORDING_RETENTION_DEFAULT_DAYS,
    seedDemo: e.SEED_DEMO,
    demoPassword: e.DEMO_PASSWORD ?? null,
    sessionTtlSec: e.SESSION_TTL_SEC,
    metricsToken: e.METRICS_TOKEN ?? null,
    overload: { maxWaiting: e.OVERLOAD_MAX_WAITING, maxLagMs: e.OVERLOAD_MAX_LAG_MS, maxOfferMs: e.OVERLOAD_MAX_OFFER_MS, resumeFraction: e.OVERLOAD_RESUME_FRACTION, retryAfterSec: e.OVERLOAD_RETRY_AFTER_SEC },
    reportTimeZone: e.REPORT_TIME_ZONE,
    callbackWindowSec: e.CALLBACK_WINDOW_SEC,
    deviceGraceSec: e.DEVICE_RECONNECT_GRACE_SEC,
    recoverySettleMs: e.CTI_RECOVERY_SETTLE_MS,
    acdOpsPort: e.ACD_OPS_PORT,
  };
}

function recordingStoreOf(e: z.infer<typeof Env>): RecordingStoreConfig {
  if (e.RECORDINGS_STORE === 'local') return { kind: 'local' };
  if (!e.RECORDINGS_S3_BUCKET) throw new ConfigError('invalid configuration:\n  RECORDINGS_S3_BUCKET: required when RECORDINGS_STORE=s3');
  if ((e.RECORDINGS_S3_ACCESS_KEY_ID === undefined) !== (e.RECORDINGS_S3_SECRET_ACCESS_KEY === undefined)) {
    throw new ConfigError('invalid configuration:\n  RECORDINGS_S3_ACCESS_KEY_ID and RECORDINGS_S3_SECRET_ACCESS_KEY must be given together');
  }
  return {
    kind: 's3',
    endpoint: e.RECORDINGS_S3_ENDPOINT ?? null,
    bucket: e.RECORDINGS_S3_BUCKET,
    region: e.RECORDINGS_S3_REGION,
    prefix: e.RECORDINGS_S3_PREFIX,
    forcePathStyle: e.RECORDINGS_S3_FORCE_PATH_STYLE ? e.RECORDINGS_S3_FORCE_PATH_STYLE === 'true' : e.RECORDINGS_S3_ENDPOINT !== undefined,
    credentials:
      e.RECORDINGS_S3_ACCESS_KEY_ID && e.RECORDINGS_S3_SECRET_ACCESS_KEY ? { accessKeyId: e.RECORDINGS_S3_ACCESS_KEY_ID, secretAccessKey: e.RECORDINGS_S3_SECRET_ACCESS_KEY } : null,
  };
}

function readPem(file: string, name: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  ${name}: cannot read ${file} (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** A secret made on first boot and kept in DATA_DIR, so restarts keep issued credentials valid. */
function persistedSecret(dataDir: string): string {
  const file = path.join(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
