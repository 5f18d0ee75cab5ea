/**
 * Seeded mutation of SIP messages for the parser fuzz test. Reproducible: the same seed
 * gives the same mutants, so a failure can be replayed with SIP_FUZZ_SEED=<seed>.
 */

/** mulberry32: small, fast, good enough to drive mutations. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Mutant {
  bytes: Buffer;
  /** Names of the mutations applied, for the failure message. */
  ops: string[];
}

/** Hard cap so a mutant stays a plausible datagram (the parser's own limit is tested separately). */
const MAX_MUTANT = 72 * 1024;

const HEADER_NAMES = ['Via', 'v', 'From', 'f', 'To', 't', 'Call-ID', 'i', 'CSeq', 'Contact', 'm', 'Content-Length', 'l', 'Max-Forwards', 'Route', 'Record-Route', 'Expires', 'Date', 'Require', 'X-PB-Leg', 'Content-Type', 'Authorization', 'Weird-!%*_+`\'~', 'Bad Name', '', ':'];
const SPECIALS = [';', ',', '"', '<', '>', '\\', ' ', '\t', '%', '@', ':', '[', ']', '=', '\r\n ', '\r\n', '/', '?', '\\"'];
const BAD_UTF8 = [[0xc0], [0xc1, 0x80], [0xff], [0xfe], [0x80], [0xed, 0xa0, 0x80], [0xf0, 0x9f], [0xf5, 0x80, 0x80, 0x80], [0xe2, 0x82]];

export class SipMutator {
  private readonly rnd: () => number;

  constructor(
    seed: number,
    private readonly corpus: Buffer[],
  ) {
    this.rnd = prng(seed);
  }

  private int(n: number): number {
    return Math.floor(this.rnd() * n);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  private value(): string {
    switch (this.int(9)) {
      case 0:
        return String(this.int(2 ** 31) * (this.rnd() < 0.5 ? 1 : 7919));
      case 1:
        return this.pick(SPECIALS).repeat(1 + this.int(4000));
      case 2:
        return `<sip:${'a'.repeat(this.int(3000))}@[${'::1:'.repeat(this.int(50))}]>;tag=${'"'.repeat(this.int(9))}`;
      case 3:
        return `SIP/2.0/UDP ${'h'.repeat(this.int(100))}${';branch'.repeat(this.int(300))}`;
      case 4:
        return `"${'\\"'.repeat(this.int(3000))}" <sip:x@y>`;
      case 5:
        return '9'.repeat(1 + this.int(40));
      case 6:
        return `${this.int(100)} ${'INVITE'.repeat(this.int(3))}`;
      case 7:
        return ' '.repeat(this.int(5000)) + 'x' + '\t'.repeat(this.int(5000));
      default:
        return Array.from({ length: this.int(60) }, () => String.fromCharCode(this.int(128))).join('');
    }
  }

  private lines(b: Buffer): string[] {
    return b.toString('latin1').split('\n');
  }

  private join(lines: string[]): Buffer {
    return Buffer.from(lines.join('\n'), 'latin1');
  }

  private apply(b: Buffer): [Buffer, string] {
    const op = this.int(18);
    const at = this.int(b.length + 1);
    switch (op) {
      case 0: {
        const c = Buffer.from(b);
        if (c.length) c[this.int(c.length)] = this.int(256);
        return [c, 'byte'];
      }
      case 1: {
        const c = Buffer.from(b);
        if (c.length) c[this.int(c.length)]! ^= 1 << this.int(8);
        return [c, 'bit'];
      }
      case 2:
        return [b.subarray(0, at), 'truncate'];
      case 3: {
        const ls = this.lines(b);
        const i = this.int(ls.length);
        ls.splice(i, 0, ls[i]!);
        return [this.join(ls), 'dup-line'];
      }
      case 4: {
        const ls = this.lines(b);
        ls.splice(this.int(ls.length), 1);
        return [this.join(ls), 'del-line'];
      }
      case 5: {
        const ls = this.lines(b);
        const i = this.int(ls.length);
        const j = this.int(ls.length);
        [ls[i], ls[j]] = [ls[j]!, ls[i]!];
        return [this.join(ls), 'swap-lines'];
      }
      case 6: {
        const ls = this.lines(b);
        ls.splice(1 + this.int(Math.max(1, ls.length - 1)), 0, `${this.pick(HEADER_NAMES)}: ${this.value()}\r`);
        return [this.join(ls), 'inject-header'];
      }
      case 7: {
        const ls = this.lines(b);
        const i = this.int(ls.length);
        ls[i] = ls[i]!.replace(/\r$/, '') + this.pick(SPECIALS.concat(['a', 'sip:', '0'])).repeat(1000 + this.int(20_000)) + '\r';
        return [this.join(ls), 'huge-value'];
      }
      case 8: {
        const cl = this.pick(['-1', '0', '99999999999', String(2 ** 53), 'abc', ' 12 ', '1e3', String(this.int(2000)), '0x10', '']);
        const s = b.toString('latin1').replace(/^(Content-Length|l)[ \t]*:[^\r\n]*/im, `Content-Length: ${cl}`);
        return [Buffer.from(s, 'latin1'), 'content-length'];
      }
      case 9: {
        const to = this.pick(['\n', '\r', '\n\r', '\r\r\n', '\r\n\r\n']);
        let n = 0;
        const s = b.toString('latin1').replace(/\r\n/g, (m) => (this.rnd() < 0.3 && n++ < 50 ? to : m));
        return [Buffer.from(s, 'latin1'), 'crlf-mix'];
      }
      case 10:
        return [Buffer.concat([b.subarray(0, at), Buffer.alloc(1 + this.int(4)), b.subarray(at)]), 'nul'];
      case 11:
        return [Buffer.concat([b.subarray(0, at), Buffer.from(this.pick(BAD_UTF8)), b.subarray(at)]), 'bad-utf8'];
      case 12:
        return [Buffer.concat([b.subarray(0, at), Buffer.from(this.pick(['\r\n ', '\r\n\t', '\n ', '\r\n'])), b.subarray(at)]), 'fold'];
      case 13: {
        const other = this.pick(this.corpus);
        return [Buffer.concat([b.subarray(0, at), other.subarray(this.int(other.length))]), 'splice'];
      }
      case 14:
        return [Buffer.concat([b.subarray(0, at), Buffer.from(this.pick(SPECIALS).repeat(1 + this.int(20_000)), 'latin1'), b.subarray(at)]), 'special-run'];
      case 15: {
        const ls = this.lines(b);
        const extra = Array.from({ length: 200 + this.int(200) }, (_, k) => `X-H${k}: ${k}\r`);
        ls.splice(1, 0, ...extra);
        return [this.join(ls), 'many-headers'];
      }
      case 16: {
        const ls = this.lines(b);
        ls.splice(1, 0, `Via: ${Array.from({ length: 100 + this.int(400) }, (_, k) => `SIP/2.0/UDP h${k};branch=z9hG4bK${k}`).join(',')}\r`);
        return [this.join(ls), 'many-vias'];
      }
      default:
        return [Buffer.concat([Buffer.from('\r\n'.repeat(1 + this.int(100))), b]), 'leading-crlf'];
    }
  }

  /** One mutant: a corpus message with one to four mutations applied. */
  next(): Mutant {
    let b = this.pick(this.corpus);
    const ops: string[] = [];
    const n = 1 + this.int(4);
    for (let k = 0; k < n; k++) {
      const [m, op] = this.apply(b);
      b = m.length > MAX_MUTANT ? m.subarray(0, MAX_MUTANT) : m;
      ops.push(op);
    }
    return { bytes: b, ops };
  }
}
