import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../server/test-support/system-tools';
import { KAMAILIO_CFG, kamailioArgs } from './kamailio-process';

/** deploy/kamailio/kamailio.cfg as Kamailio itself reads it (`kamailio -c`), with a site's defines. */
const dir = mkdtempSync(path.join(tmpdir(), 'pb-kamcfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the Kamailio config in deploy/kamailio', () => {
  it('passes kamailio -c with the test addresses and with its own defaults; a broken copy does not', () => {
    const bin = requireTool('kamailio');
    const ok = spawnSync(bin, ['-c', ...kamailioArgs({ listenPort: 25060, nodes: [25070, 25080], pingSec: 1, frMs: 1500 }, dir)], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/config file ok/);
    expect(ok.stdout + ok.stderr).toMatch(/udp: 127\.0\.0\.1 \[127\.0\.0\.1\]:25060/);
    // with the TCP listener as well
    const tcp = spawnSync(bin, ['-c', ...kamailioArgs({ listenPort: 25060, tcpPort: 25061, nodes: [25070, 25080], pingSec: 1, frMs: 1500 }, dir)], { encoding: 'utf8' });
    expect(tcp.status, tcp.stderr).toBe(0);
    expect(tcp.stdout + tcp.stderr).toMatch(/tcp: 127\.0\.0\.1 \[127\.0\.0\.1\]:25061/);
    // the defaults (no -A at all) parse too: the file is a deployable config as it stands
    expect(() => execFileSync(bin, ['-c', '-f', KAMAILIO_CFG], { stdio: 'pipe' })).not.toThrow();
    const broken = path.join(dir, 'broken.cfg');
    writeFileSync(broken, readFileSync(KAMAILIO_CFG, 'utf8').replace('ds_select_dst("1", "4")', 'ds_select_dst("1", "4"'));
    const bad = spawnSync(bin, ['-c', '-f', broken], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
  });
});
