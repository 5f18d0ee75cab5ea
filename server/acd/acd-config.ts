import type { Logger } from '../log';
import type { DialPlan } from './dial-plan';
import type { MediaEngine } from './media/media-engine';
import type { LagMeter, OverloadConfig } from './overload/overload-guard';
import type { AcdTimers } from './timers';
import type { TransportsConfig } from './transport/transport-set';
import type { TrunkDirectory } from './trunks/trunk-directory';

export interface AcdConfig {
  /** Address the SIP WebSocket server binds to. */
  host: string;
  /** 0 picks a free port (see `acd.port`). */
  port: number;
  /** SIP domain of AORs (`sip:dev-…@<domain>`, `sip:route@<domain>`) and digest realm. */
  domain: string;
  /** Secret shared with the CTI (credentials.ts). */
  secret: string;
  ringTimeoutDefaultSec: number;
  /** Host named in Via/Contact; defaults to `host`. */
  publicHost?: string;
  timers?: Partial<AcdTimers>;
  /**
   * Transports besides SIP over WebSocket (which listens on `port`). A port left out is
   * not opened; TLS and WSS need `tls`.
   */
  transports?: Omit<TransportsConfig, 'host' | 'wsPort'>;
  /**
   * Directory for bridge recordings the controller asks for (`X-PB-Record: on`), created at
   * start. Without it such a dial is refused with 503.
   */
  recordingsDir?: string;
  /**
   * Seconds after a caller's first key within which the controller may call them back (a dial with
   * `X-PB-Callback-For`, callback-ledger.ts); default CALLBACK_WINDOW_DEFAULT_SEC.
   */
  callbackWindowSec?: number;
  /**
   * Seconds a device's leg outlives its closed connection mid-call, waiting for the device's
   * re-INVITE on a new one (calls/device-grace.ts); 0 ends it at once. Default DEVICE_GRACE_DEFAULT_SEC.
   */
  deviceGraceSec?: number;
  /** When new callers are refused with 503 + Retry-After (overload-guard.ts); absent: never (DEFAULT_OVERLOAD). */
  overload?: Partial<OverloadConfig>;
}

export interface AcdOptions {
  config: AcdConfig;
  dialPlan: DialPlan;
  media: MediaEngine;
  logger: Logger;
  /** Carrier trunks (docs/trunks.md); without them the ACD dials devices only. */
  trunks?: TrunkDirectory;
  /** How the overload guard measures event-loop lag (tests inject one; default: perf_hooks). */
  lagMeter?: LagMeter;
  /** The clock of the callback window (tests move it past the window; default Date.now). */
  now?: () => number;
}

/** Two hours: longer than the longest callback expiry a queue may set (120 minutes). */
export const CALLBACK_WINDOW_DEFAULT_SEC = 7200;
