import type { SipMessage } from '../sip/message';
import type { ParseResult } from '../sip/parser';

/** Via transport tokens the ACD speaks (RFC 3261 §18, RFC 7118). */
export type TransportProtocol = 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS';

/** Connection-oriented transports: no retransmissions, responses ride the connection. */
export function isReliable(protocol: TransportProtocol): boolean {
  return protocol !== 'UDP';
}

/**
 * A flow is the path to one peer (RFC 5626 sense): for TCP/TLS/WS/WSS one connection,
 * for UDP one 5-tuple (our socket, the peer's address and port). Responses and requests
 * for a binding or a dialog go back over the flow they arrived on. Transports produce
 * flows; message handling never sees a socket.
 *
 * Contract:
 * - `send` MUST NOT throw; it returns false when the message could not be handed to the
 *   network (closed connection), and the message is dropped.
 * - A response sent on a UDP flow goes where RFC 3261 §18.2.2 + RFC 3581 say (top Via
 *   `received`/`rport`), which is the flow's peer for every client that asked for `rport`.
 * - A flow MUST NOT reconnect by itself: when a connection closes, the transport reports
 *   it once (`onFlowClosed`) and the application decides.
 */
export interface Flow {
  readonly id: string;
  /** Via transport token. */
  readonly transport: TransportProtocol;
  /** False for UDP: the transaction layer retransmits. */
  readonly reliable: boolean;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Port of our listening socket on this transport (sent-by in Via, Contact). */
  readonly localPort: number;
  readonly closed: boolean;
  /** Sends a message; false when the flow is closed (the message is dropped). */
  send(msg: SipMessage): boolean;
  close(): void;
}

/** What a transport reports to the message layer. */
export interface TransportHandler {
  /** A parsed message, or a parse error (the handler answers 400 when it can). */
  onMessage(result: ParseResult, flow: Flow): void;
  /** The flow is gone: bindings on it die, legs on it end. Never reported for UDP. */
  onFlowClosed(flow: Flow): void;
  /** A message was handed to the network (counted for /metrics); MUST NOT throw. */
  onSent?(msg: SipMessage): void;
}

/**
 * One listening transport. `connect` gives a flow towards a peer for requests the ACD
 * originates (a trunk, a device's contact): UDP makes a 5-tuple flow at once; TCP/TLS
 * reuse an open connection to that address and port or open one; WS/WSS can only reuse
 * a connection the peer opened (a browser cannot be dialled), else they reject.
 */
export interface SipTransport {
  readonly protocol: TransportProtocol;
  /** The port actually bound (after `start`). */
  readonly port: number;
  start(): Promise<void>;
  /** Closes the listener and every flow. Safe to call twice. */
  stop(): Promise<void>;
  connect(host: string, port: number): Promise<Flow>;
}
