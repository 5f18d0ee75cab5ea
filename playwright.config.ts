import { defineConfig } from '@playwright/test';

// End-to-end tests against the whole platform started as `npm start` would, on its own ports
// and a fresh embedded database, in Debian's Chromium (Playwright cannot download browsers here).
// E2E_HTTP_PORT, E2E_SIP_WS_PORT and E2E_SIP_UDP_PORT (also its TCP port) move a run off the
// defaults, so two runs on one machine do not meet; each port set gets its own data directory.
const port = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name} must be a port number, not ${JSON.stringify(v)}`);
  return n;
};
const HTTP_PORT = port('E2E_HTTP_PORT', 3100);
const SIP_WS_PORT = port('E2E_SIP_WS_PORT', 5162);
const SIP_UDP_PORT = port('E2E_SIP_UDP_PORT', 5160);
/**
 * E2E_MEDIA_ENGINE=rtpengine runs the call-flow specs below against the platform with
 * MEDIA_ENGINE=rtpengine and a real rtpengine daemon (e2e/rtpengine-platform.ts): browsers'
 * ICE, DTLS-SRTP and transcoding in rtpengine, the rest in the ACD. `npm run test:e2e` runs the
 * whole suite on the embedded engine, then these again on rtpengine.
 */
const MEDIA_ENGINE = process.env.E2E_MEDIA_ENGINE || 'werift';
if (MEDIA_ENGINE !== 'werift' && MEDIA_ENGINE !== 'rtpengine') throw new Error(`E2E_MEDIA_ENGINE must be werift or rtpengine, not ${JSON.stringify(MEDIA_ENGINE)}`);
/** Caller ↔ operator in Chromium both ways (the ACD offers to the operator), hold and transfer by ear, an outbound call through a trunk. */
const RTPENGINE_SPECS = ['call.spec.ts', 'call-controls-tones.spec.ts', 'outbound-dial.spec.ts'];
// the rtpengine run follows the full one in `npm run test:e2e`, whose build it reuses
const BUILD = process.env.E2E_REUSE_BUILD === '1' ? 'true' : 'npx next build';
const PLATFORM = MEDIA_ENGINE === 'rtpengine' ? 'npx tsx e2e/rtpengine-platform.ts' : 'npx tsx server/main.ts';

export const E2E = {
  baseURL: `http://127.0.0.1:${HTTP_PORT}`,
  demoPassword: 'e2e-demo-password',
  dataDir: HTTP_PORT === 3100 ? '.data-e2e' : `.data-e2e-${HTTP_PORT}`,
  sipWsUrl: `ws://127.0.0.1:${SIP_WS_PORT}`,
};

/** Debian's Chromium, headless, with a fake microphone and no traffic off this machine. */
export const CHROMIUM_ARGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export default defineConfig({
  testDir: 'e2e',
  ...(MEDIA_ENGINE === 'rtpengine' ? { testMatch: RTPENGINE_SPECS } : {}),
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
      args: CHROMIUM_ARGS,
    },
    permissions: ['microphone'],
  },
  webServer: {
    command: `rm -rf ${E2E.dataDir} && ${BUILD} && ${PLATFORM}`,
    url: `${E2E.baseURL}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      HTTP_PORT: String(HTTP_PORT),
      SIP_WS_PORT: String(SIP_WS_PORT),
      // plain SIP transports on their own ports, away from a developer's 5060
      SIP_UDP_PORT: String(SIP_UDP_PORT),
      SIP_TCP_PORT: String(SIP_UDP_PORT),
      DATA_DIR: E2E.dataDir,
      DEMO_PASSWORD: E2E.demoPassword,
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      // Next.js would otherwise try to send usage telemetry to the internet
      NEXT_TELEMETRY_DISABLED: '1',
    },
  },
});
