import { parseCSeqExact, parseNameAddr, parseVia, type CSeq, type NameAddr, type Via } from './headers';
import type { SipHeaders, SipRequest, SipResponse } from './message';

/**
 * Parsed header values, filled by the parser's checks and then on first read. `undefined`
 * = not parsed yet; `null` = parsed, absent or malformed.
 */
export interface FieldSeed {
  callId?: string;
  from?: NameAddr | null;
  to?: NameAddr | null;
  cseq?: CSeq | null;
  topVia?: Via | null;
  /** The first Contact (`null` when absent or `*`). */
  contact?: NameAddr | null;
}

/**
 * The typed header fields of a received message (cf. SIP.js `IncomingRequestMessage`):
 * Call-ID, From/To and their tags, CSeq, the first Contact, the top Via. Each is parsed at
 * most once — the parser's checks fill the seed as they go, the rest is parsed on first
 * read — so the hot path never re-parses a tag or a Contact. Values describe the message
 * as received; the one later edit, the transport's `received`/`rport` stamp, updates
 * `topVia` in place (via-stamp.ts).
 */
export class MessageFields {
  constructor(
    private readonly headers: SipHeaders,
    /** Shared with the parser, which fills it while checking the message. */
    private readonly memo: FieldSeed = {},
  ) {}

  get callId(): string {
    return (this.memo.callId ??= this.headers.get('Call-ID') ?? '');
  }

  get from(): NameAddr | null {
    if (this.memo.from === undefined) this.memo.from = parseNameAddr(this.headers.get('From') ?? '');
    return this.memo.from;
  }

  get to(): NameAddr | null {
    if (this.memo.to === undefined) this.memo.to = parseNameAddr(this.headers.get('To') ?? '');
    return this.memo.to;
  }

  get fromTag(): string | null {
    return this.from?.params.get('tag') ?? null;
  }

  get toTag(): string | null {
    return this.to?.params.get('tag') ?? null;
  }

  /** CSeq with the method exactly as written. */
  get cseq(): CSeq | null {
    if (this.memo.cseq === undefined) this.memo.cseq = parseCSeqExact(this.headers.get('CSeq') ?? '');
    return this.memo.cseq;
  }

  get topVia(): Via | null {
    if (this.memo.topVia === undefined) this.memo.topVia = parseVia(this.headers.get('Via') ?? '');
    return this.memo.topVia;
  }

  /** The first Contact as a name-addr; null when absent or `*`. */
  get contact(): NameAddr | null {
    if (this.memo.contact === undefined) {
      const raw = this.headers.get('Contact');
      this.memo.contact = raw === undefined || raw === '*' ? null : parseNameAddr(raw);
    }
    return this.memo.contact;
  }
}

/** A request as the parser hands it over: plain message plus its parsed fields. */
export type IncomingRequest = SipRequest & { readonly fields: MessageFields };
export type IncomingResponse = SipResponse & { readonly fields: MessageFields };
export type IncomingMessage = IncomingRequest | IncomingResponse;

/** The fields of any message: the parser's when it has them, else parsed now (messages built locally, tests). */
export function fieldsOf(msg: SipRequest | SipResponse): MessageFields {
  const f = (msg as Partial<IncomingMessage>).fields;
  return f instanceof MessageFields ? f : new MessageFields(msg.headers);
}
