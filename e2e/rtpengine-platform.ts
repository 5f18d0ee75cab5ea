import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TestRtpengineDaemon } from '../server/acd/media/test-rtpengine-daemon';

/**
 * The e2e platform with MEDIA_ENGINE=rtpengine (playwright.config.ts, E2E_MEDIA_ENGINE): a real
 * rtpengine daemon on free ports (the tests' own helper: --poller-per-thread, its NG port and
 * media ports below the ephemeral range), then `server/main.ts` driving it over NG. The platform
 * ends the daemon when it exits; Playwright ends the whole process group at teardown.
 */
const daemon = await TestRtpengineDaemon.start();
process.stderr.write(`e2e: rtpengine pid ${daemon.pid}, NG ${daemon.ng}, media ports ${daemon.portRange.join('-')}\n`);
// the specs check that the browsers' media really ends in this daemon (e2e/support.ts, expectAnchoredInRtpengine)
const dataDir = process.env.DATA_DIR ?? '.data';
mkdirSync(dataDir, { recursive: true });
writeFileSync(path.join(dataDir, 'e2e-rtpengine.json'), JSON.stringify({ ng: daemon.ng, portRange: daemon.portRange }));
const platform = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
  stdio: 'inherit',
  env: { ...process.env, MEDIA_ENGINE: 'rtpengine', RTPENGINE_NG: daemon.ng },
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => platform.kill(signal));
platform.on('exit', (code, signal) => {
  void daemon.stop().finally(() => process.exit(code ?? (signal ? 1 : 0)));
});
