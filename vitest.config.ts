import { defineConfig } from 'vitest/config';

// Unit and integration tests (real sockets, real SIP over loopback, real databases).
// Two cores: at most two workers, and every test bounded in time.
export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'test/**/*.test.ts', 'app/**/*.test.ts'],
    exclude: ['node_modules/**', 'e2e/**', '.next/**', 'test/boundaries/fixtures/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    // set-up starts real platforms (PGlite, ACD, bank, CTI): on 2 cores beside other suites it can take a minute
    hookTimeout: 90_000,
    reporters: ['default'],
  },
});
