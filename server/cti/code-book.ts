import type { Logger } from '../log';
import type { CodeOption, ConsoleCodes } from '../contracts/call-work';
import type { CodeEntry, CtiStore } from './ports/cti-store';

/**
 * The admin's active not-ready reasons and dispositions, cached: the console asks for them on
 * every sign-in and every choice is checked against them, so they are read once and re-read when
 * the portal says a code changed (config-follower), never per request. A failed read keeps the
 * lists it had (and is retried on the next change or the next request while empty).
 */
export class CodeBook {
  private codes: CodeEntry[] | null = null;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly store: Pick<CtiStore, 'activeCodes'>,
    private readonly log: Logger,
  ) {}

  /** Re-reads the lists (a code changed in the portal). */
  reload(): Promise<void> {
    const p = this.store.activeCodes().then(
      (c) => {
        this.codes = c;
      },
      (err: unknown) => this.log.warn({ err }, 'could not read the not-ready and disposition codes; keeping the last lists'),
    );
    this.loading = p.finally(() => {
      if (this.loading === p) this.loading = null;
    });
    return p;
  }

  async lists(): Promise<ConsoleCodes> {
    const all = await this.all();
    const of = (kind: CodeEntry['kind']): CodeOption[] => all.filter((c) => c.kind === kind).map(({ code, label }) => ({ code, label }));
    return { notReady: of('not_ready'), disposition: of('disposition') };
  }

  /** The active code of that kind, or null (retired, or never in the list). */
  async find(kind: CodeEntry['kind'], code: string): Promise<CodeOption | null> {
    const c = (await this.all()).find((e) => e.kind === kind && e.code === code);
    return c ? { code: c.code, label: c.label } : null;
  }

  /** A code's label even when it is no longer active (history shows what was chosen then). */
  labelOf(kind: CodeEntry['kind'], code: string): string | null {
    return this.codes?.find((e) => e.kind === kind && e.code === code)?.label ?? null;
  }

  private async all(): Promise<CodeEntry[]> {
    if (!this.codes) await (this.loading ?? this.reload());
    return this.codes ?? [];
  }
}
