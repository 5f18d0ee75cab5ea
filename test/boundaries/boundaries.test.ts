import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The layering rules (.dependency-cruiser.cjs, docs/architecture.md "Boundaries") over the real
// tree, and over a fixture tree holding one breach per rule, so a rule that stops matching
// (a renamed folder, a typo in a path) fails here instead of passing silently.
const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(__dirname, 'fixtures');
const run = promisify(execFile);

interface Violation {
  rule: string;
  from: string;
  to: string;
}

async function cruise(cwd: string, dirs: string[]): Promise<Violation[]> {
  const bin = path.join(ROOT, 'node_modules/.bin/depcruise');
  const config = path.relative(cwd, path.join(ROOT, '.dependency-cruiser.cjs')) || '.dependency-cruiser.cjs';
  // exit code 1 means "violations found": the JSON on stdout is what we judge
  const out = await run(bin, [...dirs, '--config', config, '--output-type', 'json'], { cwd, maxBuffer: 64 << 20 }).catch(
    (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
  );
  const result = JSON.parse(out.stdout) as { summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> } };
  return result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
}

describe('architecture boundaries', () => {
  it('the repository breaks none of them', { timeout: 60_000 }, async () => {
    expect(await cruise(ROOT, ['server', 'app', 'bench', 'e2e', 'test'])).toEqual([]);
  });

  it('each rule catches its breach in the fixture tree, and allows what it should', { timeout: 60_000 }, async () => {
    const found = await cruise(FIXTURES, ['server', 'app']);
    expect(found.sort((a, b) => `${a.rule}${a.from}${a.to}`.localeCompare(`${b.rule}${b.from}${b.to}`))).toEqual([
      { rule: 'acd-never-imports-cti', from: 'server/acd/leaky.ts', to: 'server/cti/ua-bank/bank.ts' },
      { rule: 'app-imports-only-contracts', from: 'app/page.tsx', to: 'server/db/db.ts' },
      { rule: 'app-no-node-builtins', from: 'app/page.tsx', to: 'fs' },
      { rule: 'contracts-are-browser-safe', from: 'server/contracts/leaky.ts', to: 'server/db/db.ts' },
      { rule: 'cti-domain-is-pure', from: 'server/cti/domain/leaky.ts', to: 'fs' },
      { rule: 'cti-domain-is-pure', from: 'server/cti/domain/leaky.ts', to: 'server/cti/ua-bank/bank.ts' },
      { rule: 'cti-never-imports-acd', from: 'server/cti/leaky.ts', to: 'server/acd/thing.ts' },
      { rule: 'test-support-only-in-tests', from: 'server/http/leaky.ts', to: 'server/test-support/kit.ts' },
    ]);
  });
});
