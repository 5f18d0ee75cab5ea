import type { SipMessage } from './sip/message';
import type { ParseResult } from './sip/parser';

/** Methods counted under their own name; any other is `OTHER` (a label set that cannot grow). */
export const COUNTED_METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'INFO', 'UPDATE', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'MESSAGE', 'PUBLISH', 'OTHER'] as const;
export type CountedMethod = (typeof COUNTED_METHODS)[number];
const INDEX = new Map<string, number>(COUNTED_METHODS.map((m, i) => [m, i]));
const OTHER = COUNTED_METHODS.length - 1;
/** Response classes 1xx … 6xx. */
export const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx', '6xx'] as const;

export type Direction = 'in' | 'out';

/**
 * The ACD's SIP messages, counted as they cross a transport: requests by method, responses by
 * the method of their CSeq and their class. Plain integers incremented inline (a map lookup
 * and an add per message); /metrics reads them on scrape (server/metrics). Unparseable
 * datagrams are counted apart.
 */
export class SipTally {
  /** [direction][method] */
  readonly requests: Record<Direction, number[]> = { in: zeros(COUNTED_METHODS.length), out: zeros(COUNTED_METHODS.length) };
  /** [direction][method * 6 + class] */
  readonly responses: Record<Direction, number[]> = { in: zeros(COUNTED_METHODS.length * 6), out: zeros(COUNTED_METHODS.length * 6) };
  unparseable = 0;

  received(r: ParseResult): void {
    if (!r.ok) {
      this.unparseable += 1;
      return;
    }
    this.count('in', r.message);
  }

  sent(msg: SipMessage): void {
    this.count('out', msg);
  }

  private count(dir: Direction, msg: SipMessage): void {
    if (msg.kind === 'request') {
      this.requests[dir][INDEX.get(msg.method) ?? OTHER]! += 1;
      return;
    }
    const cls = Math.floor(msg.status / 100) - 1;
    if (cls < 0 || cls > 5) return;
    this.responses[dir][methodIndexOfCSeq(msg.headers.get('CSeq')) * 6 + cls]! += 1;
  }
}

function methodIndexOfCSeq(cseq: string | undefined): number {
  if (!cseq) return OTHER;
  const space = cseq.lastIndexOf(' ');
  return INDEX.get(cseq.slice(space + 1).trim()) ?? OTHER;
}

const zeros = (n: number): number[] => new Array<number>(n).fill(0);
