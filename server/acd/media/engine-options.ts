import { RTCRtpCodecParameters, type RTCPeerConnectionConfig } from 'werift';
import { z } from 'zod';

/**
 * Options of the embedded engine, validated once at construction (a bad value fails at
 * boot with the parameter's name, not at the first call).
 */
export const WeriftMediaEngineOptionsSchema = z
  .object({
    /** UDP ports for ICE/RTP, inclusive. Absent: the OS picks ephemeral ports. */
    portRange: z
      .tuple([z.number().int().min(1024).max(65535), z.number().int().min(1024).max(65535)])
      .refine(([lo, hi]) => lo < hi, 'portRange: min must be below max')
      .optional(),
    /** Offer a 127.0.0.1 host candidate besides the machine's own interface addresses. */
    loopbackCandidate: z.boolean().default(true),
    /** More IPv4 addresses of this machine to offer as host candidates. */
    extraHostAddresses: z.array(z.ipv4()).default([]),
    /** Seconds without RTP from a connected party before `onEnded('rtp-timeout')`. */
    rtpTimeoutSec: z.number().positive().max(3600).default(30),
    /** Address plain RTP legs bind to (this machine's media address). */
    rtpAddress: z.ipv4().default('127.0.0.1'),
    /** Address written into plain RTP SDP; defaults to `rtpAddress` (required when that is 0.0.0.0). */
    rtpAdvertiseAddress: z.ipv4().optional(),
    /** UDP ports for plain RTP legs, inclusive (even ports are used). Absent: OS-chosen ports. */
    rtpPortRange: z
      .tuple([z.number().int().min(1024).max(65535), z.number().int().min(1024).max(65535)])
      .refine(([lo, hi]) => lo < hi, 'rtpPortRange: min must be below max')
      .optional(),
    /** Seconds from negotiation to ICE+DTLS connected before `onEnded('ice-failed')`. */
    connectTimeoutSec: z.number().positive().max(300).default(20),
  })
  .strict()
  .refine((o) => o.rtpAddress !== '0.0.0.0' || o.rtpAdvertiseAddress !== undefined, 'rtpAdvertiseAddress: required when rtpAddress is 0.0.0.0');

export type WeriftMediaEngineOptions = z.input<typeof WeriftMediaEngineOptionsSchema>;
export type ResolvedEngineOptions = z.output<typeof WeriftMediaEngineOptionsSchema>;

/** RFC 3551 static payload types for G.711; telephone-event takes the common dynamic 101 in our offers. */
export const PT_PCMU = 0;
export const PT_PCMA = 8;
export const PT_TELEPHONE_EVENT = 101;

export function g711Codecs(): RTCRtpCodecParameters[] {
  return [
    new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: PT_PCMU }),
    new RTCRtpCodecParameters({ mimeType: 'audio/PCMA', clockRate: 8000, channels: 1, payloadType: PT_PCMA }),
    new RTCRtpCodecParameters({
      mimeType: 'audio/telephone-event',
      clockRate: 8000,
      channels: 1,
      payloadType: PT_TELEPHONE_EVENT,
      parameters: '0-16',
    }),
  ];
}

/**
 * werift configuration: G.711 + telephone-event only, no video; no STUN/TURN (werift's
 * default includes Google's STUN server: it must go); IPv4 host candidates only — the
 * machine's interface addresses (werift skips loopback, tun, veth... by itself) plus
 * loopback when asked.
 */
export function peerConfig(o: ResolvedEngineOptions): RTCPeerConnectionConfig {
  const additional = [...(o.loopbackCandidate ? ['127.0.0.1'] : []), ...o.extraHostAddresses];
  return {
    codecs: { audio: g711Codecs(), video: [] },
    headerExtensions: { audio: [], video: [] },
    iceServers: [],
    iceUseIpv4: true,
    iceUseIpv6: false,
    iceUseTcp: false,
    iceUseLinkLocalAddress: false,
    iceAdditionalHostAddresses: additional.length > 0 ? additional : undefined,
    icePortRange: o.portRange,
    bundlePolicy: 'max-bundle',
  };
}
