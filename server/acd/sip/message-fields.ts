import { parseCSeqExact, parseNameAddr, parseVia, type CSeq, type NameAddr, type Via } from './headers';
import type { SipHeaders, SipRequest, SipResponse } from './message';

/** What the parser already parsed while checking a message, handed over so nothing parses twice. */
export interface FieldSeed {
  from?: NameAddr;
  to?: NameAddr;
  cseq?: CSeq;
  topVia?: Via;
  /** The first Contact (`null` when absent or `*`). */
  contact?: NameAddr | null;
}

const UNSET = Symbol('unset');
type Memo<T> = T | typeof UNSET;

/**
 * The typed header fields of a received message (cf. SIP.js `IncomingRequestMessage`):
 * Call-ID, From/To and their tags, CSeq, the first Contact, the top Via. Each is parsed at
 * most once — the parser seeds what it already parsed, the rest is parsed on first read —
 * so the hot path never re-parses a tag or a Contact. Values describe the message as
 * received; the one later edit, the transport's `received`/`rport` stamp, updates `topVia`
 * in place (via-stamp.ts).
 */
export class MessageFields {
  private fromMemo: Memo<NameAddr | null>;
  private toMemo: Memo<NameAddr | null>;
  private cseqMemo: Memo<CSeq | null>;
  private viaMemo: Memo<Via | null>;
  private contactMemo: Memo<NameAddr | null>;
  private callIdMemo: Memo<string> = UNSET;

  constructor(
    private readonly headers: SipHeaders,
    seed: FieldSeed = {},
  ) {
    this.fromMemo = seed.from ?? UNSET;
    this.toMemo = seed.to ?? UNSET;
    this.cseqMemo = seed.cseq ?? UNSET;
    this.viaMemo = seed.topVia ?? UNSET;
    this.contactMemo = seed.contact === undefined ? UNSET : seed.contact;
  }

  get callId(): string {
    if (this.callIdMemo === UNSET) this.callIdMemo = this.headers.get('Call-ID') ?? '';
    return this.callIdMemo;
  }

  get from(): NameAddr | null {
    if (this.fromMemo === UNSET) this.fromMemo = parseNameAddr(this.headers.get('From') ?? '');
    return this.fromMemo;
  }

  get to(): NameAddr | null {
    if (this.toMemo === UNSET) this.toMemo = parseNameAddr(this.headers.get('To') ?? '');
    return this.toMemo;
  }

  get fromTag(): string | null {
    return this.from?.params.get('tag') ?? null;
  }

  get toTag(): string | null {
    return this.to?.params.get('tag') ?? null;
  }

  /** CSeq with the method exactly as written. */
  get cseq(): CSeq | null {
    if (this.cseqMemo === UNSET) this.cseqMemo = parseCSeqExact(this.headers.get('CSeq') ?? '');
    return this.cseqMemo;
  }

  get topVia(): Via | null {
    if (this.viaMemo === UNSET) this.viaMemo = parseVia(this.headers.get('Via') ?? '');
    return this.viaMemo;
  }

  /** The first Contact as a name-addr; null when absent or `*`. */
  get contact(): NameAddr | null {
    if (this.contactMemo === UNSET) {
      const raw = this.headers.get('Contact');
      this.contactMemo = raw === undefined || raw === '*' ? null : parseNameAddr(raw);
    }
    return this.contactMemo;
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
