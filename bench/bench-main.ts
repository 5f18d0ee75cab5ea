import { rmSync } from 'node:fs';
import type { SippRunner } from './sipp-run';

/**
 * Runs a platform bench's `main` and always cleans up — on success, on an error (exit 1) and on
 * Ctrl-C or SIGTERM (exit 130): SIPp killed, the `cleanups` run newest first (platform, phones,
 * scratch database…), the work directory removed unless BENCH_KEEP is set.
 */
export function runBench(main: () => Promise<void>, o: { sipp: SippRunner; cleanups: Array<() => Promise<void>>; work: string }): void {
  const cleanup = async (): Promise<void> => {
    o.sipp.killAll();
    for (const c of o.cleanups.reverse()) await c().catch(() => undefined);
    o.cleanups.length = 0;
    if (!process.env.BENCH_KEEP) rmSync(o.work, { recursive: true, force: true });
    else process.stderr.write(`kept ${o.work}\n`);
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));
  main()
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    })
    .finally(() => cleanup().finally(() => process.exit()));
}
