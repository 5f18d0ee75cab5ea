import type { SipMessage } from '../sip/message';
import type { ParseResult } from '../sip/parser';

/**
 * A flow is one connection to a peer (RFC 5626 sense): responses and requests for a
 * binding or a dialog go back over the flow they arrived on. Transports (WS today;
 * UDP/TCP/TLS later) produce flows; message handling never sees a socket.
 */
export interface Flow {
  readonly id: string;
  /** Via transport token: WS, WSS, TCP, UDP, TLS. */
  readonly transport: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly closed: boolean;
  /** Sends a message; false when the flow is closed (the message is dropped). */
  send(msg: SipMessage): boolean;
  close(): void;
}

/** What a transport reports to the message layer. */
export interface TransportHandler {
  /** A parsed message, or a parse error (the handler answers 400 when it can). */
  onMessage(result: ParseResult, flow: Flow): void;
  /** The flow is gone: bindings on it die, legs on it end. */
  onFlowClosed(flow: Flow): void;
}
