// The layering rules of docs/architecture.md, checked on every `npm test` (npm run
// test:boundaries, and test/boundaries/boundaries.test.ts proves each rule catches a breach).
// Paths are relative to the folder cruised from (the repo root).
const TEST_CODE = '(\\.test\\.tsx?$|(^|/)test-support/|^test/|^e2e/|^bench/)';
const TEST_SUPPORT = '((^|/)test-support/|^test/|^server/acd/media/(test-[^/]+|lifecycle-fixture)\\.ts$)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'cti-domain-is-pure',
      comment: 'The CTI domain (state machines, routing) is free of IO and frameworks: transports call in.',
      severity: 'error',
      from: { path: '^server/cti/domain/', pathNot: '\\.test\\.ts$' },
      to: {
        // state-machine.ts is the servers' one pure transition-table helper; wait-prompts.ts the names
        // of the spoken pieces the ACD ships and the CTI composes (both data only, no imports)
        pathNot: ['^server/cti/domain/', '^server/contracts/', '^server/shared/state-machine\\.ts$', '^server/shared/wait-prompts\\.ts$', '^node_modules/zod/'],
      },
    },
    {
      name: 'contracts-are-browser-safe',
      comment: 'server/contracts is imported by the browser: it may use zod and itself, nothing else.',
      severity: 'error',
      from: { path: '^server/contracts/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: ['^server/contracts/', '^node_modules/zod/'] },
    },
    {
      name: 'app-imports-only-contracts',
      comment: 'Pages and components reach the servers only through browser-safe contracts.',
      severity: 'error',
      from: { path: '^app/' },
      to: { path: '^(server|prisma|scripts|bench)/', pathNot: '^server/contracts/' },
    },
    {
      name: 'app-no-node-builtins',
      comment: 'Browser code cannot use node: modules.',
      severity: 'error',
      from: { path: '^app/', pathNot: '\\.test\\.tsx?$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'acd-never-imports-cti',
      comment: 'The ACD never learns what an operator is; it talks to the CTI only over SIP.',
      severity: 'error',
      from: { path: '^server/acd/' },
      to: { path: '^server/(cti|http|db)/' },
    },
    {
      name: 'cti-never-imports-acd',
      comment: 'The CTI controls the ACD only over SIP, so either can run on its own node.',
      severity: 'error',
      from: { path: '^server/cti/', pathNot: TEST_CODE },
      to: { path: '^server/acd/' },
    },
    {
      name: 'test-support-only-in-tests',
      comment: 'Test kits and fixtures are never shipped in the running platform.',
      severity: 'error',
      from: { pathNot: [TEST_CODE, TEST_SUPPORT] },
      to: { path: TEST_SUPPORT },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^server/db/generated/', '^test/boundaries/fixtures/', '^\\.next/'] },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
