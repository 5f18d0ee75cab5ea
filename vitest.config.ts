import { defineConfig } from 'vitest/config';

// Unit and integration tests (real sockets, real SIP over loopback, real databases).
// Two cores: at most two workers, and every test bounded in time.
export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules/**', 'e2e/**', '.next/**', 'test/boundaries/fixtures/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default'],
  },
});
