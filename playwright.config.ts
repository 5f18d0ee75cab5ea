import { defineConfig } from '@playwright/test';

// End-to-end tests against the whole platform started as `npm start` would, on its own ports
// and a fresh embedded database, in Debian's Chromium (Playwright cannot download browsers here).
const HTTP_PORT = 3100;
const SIP_WS_PORT = 5162;
export const E2E = {
  baseURL: `http://127.0.0.1:${HTTP_PORT}`,
  demoPassword: 'e2e-demo-password',
  dataDir: '.data-e2e',
  sipWsUrl: `ws://127.0.0.1:${SIP_WS_PORT}`,
};

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: E2E.baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        '--autoplay-policy=no-user-gesture-required',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
    permissions: ['microphone'],
  },
  webServer: {
    command: `rm -rf ${E2E.dataDir} && npx next build && npx tsx server/main.ts`,
    url: `${E2E.baseURL}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      HTTP_PORT: String(HTTP_PORT),
      SIP_WS_PORT: String(SIP_WS_PORT),
      // plain SIP transports on their own ports, away from a developer's 5060
      SIP_UDP_PORT: '5160',
      SIP_TCP_PORT: '5160',
      DATA_DIR: E2E.dataDir,
      DEMO_PASSWORD: E2E.demoPassword,
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
    },
  },
});
