import Module, { createRequire } from 'node:module';
import path from 'node:path';
import type * as JsSIPModule from 'jssip';
import { SdpOnlyPeerConnection, SdpOnlySessionDescription, installSdpOnlyWebRtc } from '../../shared/sdp/sdp-only-peer-connection';

export type JsSIP = typeof JsSIPModule;

/**
 * Loads JsSIP with the browser names it reads (`window`, `RTCPeerConnection`,
 * `RTCSessionDescription`) bound inside JsSIP's own modules to the SDP-only shim, instead of
 * defining them on `globalThis`. This process also serves Next.js pages: a global `window`
 * would make server code (and libraries checking `typeof window`) believe it runs in a browser.
 *
 * How: while JsSIP's CommonJS files are compiled, each gets one line of `var` declarations
 * prepended (after its "use strict" directive). When JsSIP was already loaded by someone
 * else, the scoped copy cannot be had: we fall back to the global shim and say so.
 */
const SCOPE = Symbol.for('patchbay.jssip.browser');

/**
 * How long an answered INVITE's server transaction is kept (JsSIP's Timer L, RFC 6026 §7.1:
 * 64×T1 = 32 s). JsSIP checks every INVITE without a To tag against every INVITE server
 * transaction it keeps (`sanityCheck.js` rfc3261_8_2_2_2, the merged-request scan), so the
 * route point's cost per call grew with calls/s × 32 s. The ACCEPTED state exists to absorb
 * retransmitted INVITEs and carry 2xx retransmissions over unreliable transports; the bank's only
 * transport is the WebSocket to the ACD, over which the ACD never retransmits an INVITE, and
 * its ACK comes in milliseconds. 4 s (8×T1) still covers JsSIP's own 2xx retransmissions at
 * T1, 2×T1 and 4×T1 should an ACK be late. Merged requests (one INVITE forked by a proxy) cannot
 * reach the bank: the ACD, its only peer, makes a new Call-ID for each control dialog.
 */
export const BANK_TIMER_L_MS = 4000;
let loaded: { mod: JsSIP; scoped: boolean } | null = null;

export function loadJsSip(): { mod: JsSIP; scoped: boolean } {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const entry = require.resolve('jssip');
  const libDir = path.dirname(entry) + path.sep;
  if (require.cache[entry]) {
    installSdpOnlyWebRtc();
    loaded = { mod: require('jssip') as JsSIP, scoped: false };
    return loaded;
  }
  (globalThis as Record<symbol, unknown>)[SCOPE] = {
    window: { RTCPeerConnection: SdpOnlyPeerConnection },
    RTCPeerConnection: SdpOnlyPeerConnection,
    RTCSessionDescription: SdpOnlySessionDescription,
  };
  const prelude =
    `var __pb = globalThis[Symbol.for('patchbay.jssip.browser')];` +
    `var window = __pb.window, RTCPeerConnection = __pb.RTCPeerConnection, RTCSessionDescription = __pb.RTCSessionDescription;`;
  const proto = Module.prototype as unknown as { _compile(content: string, filename: string): unknown };
  const original = proto._compile;
  proto._compile = function compile(this: unknown, content: string, filename: string) {
    if (filename.startsWith(libDir)) {
      const m = /^\s*(['"])use strict\1;?/.exec(content);
      content = m ? `${m[0]}${prelude}${content.slice(m[0].length)}` : `${prelude}${content}`;
    }
    return original.call(this, content, filename);
  };
  try {
    loaded = { mod: require('jssip') as JsSIP, scoped: true };
  } finally {
    proto._compile = original;
  }
  // Transactions.js reads the timer from this object each time it arms it
  (require(path.join(libDir, 'Timers.js')) as { TIMER_L: number }).TIMER_L = BANK_TIMER_L_MS;
  return loaded;
}
