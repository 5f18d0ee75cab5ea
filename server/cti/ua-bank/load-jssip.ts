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
  return loaded;
}
