import type { Logger } from '../log';
import type { DialPlan } from './dial-plan';
import type { MediaEngine } from './media/media-engine';
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
}

export interface AcdOptions {
  config: AcdConfig;
  dialPlan: DialPlan;
  media: MediaEngine;
  logger: Logger;
  /** Carrier trunks (docs/trunks.md); without them the ACD dials devices only. */
  trunks?: TrunkDirectory;
}
