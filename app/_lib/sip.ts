import type { UserAgentOptions } from 'sip.js';

/**
 * sip.js settings every page shares. No ICE servers at all: sip.js's default is a Google STUN
 * server, and this platform never talks to an outside address (the ACD anchors media and is
 * reachable on host candidates). ICE gathering is cut short because only host candidates exist.
 */
export const SDH_FACTORY_OPTIONS = {
  peerConnectionConfiguration: { iceServers: [] },
  iceGatheringTimeout: 500,
} as const;

export const AUDIO_ONLY = { constraints: { audio: true, video: false } } as const;

export function baseUaOptions(wsUrl: string): Partial<UserAgentOptions> {
  return {
    transportOptions: { server: wsUrl, connectionTimeout: 5 },
    sessionDescriptionHandlerFactoryOptions: SDH_FACTORY_OPTIONS,
    logLevel: 'warn',
    userAgentString: 'Patchbay web',
  };
}

/** Random hex of n bytes, for caller identities. */
export function randomHex(bytes: number): string {
  const a = new Uint8Array(bytes);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The peer connection behind a sip.js session, if it has one yet. */
export function peerConnectionOf(session: { sessionDescriptionHandler: unknown } | null): RTCPeerConnection | null {
  const sdh = session?.sessionDescriptionHandler as { peerConnection?: RTCPeerConnection } | undefined;
  return sdh?.peerConnection ?? null;
}

/** The remote audio of a sip.js session (the web SDH keeps one MediaStream of remote tracks). */
export function remoteStreamOf(session: { sessionDescriptionHandler: unknown } | null): MediaStream | null {
  const sdh = session?.sessionDescriptionHandler as { remoteMediaStream?: MediaStream } | undefined;
  return sdh?.remoteMediaStream ?? null;
}

/** Test hooks the e2e tests read (window.patchbay). */
export interface PatchbayHooks {
  pc(): RTCPeerConnection | null;
  registered(): boolean;
}

declare global {
  interface Window {
    patchbay?: PatchbayHooks;
  }
}
