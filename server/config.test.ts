import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

/** The SIP transport settings of the config (the rest is exercised by every boot). */
const dirs: string[] = [];
const base = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pb-cfg-'));
  dirs.push(dir);
  return { NODE_ENV: 'test' as const, DATA_DIR: dir, PATCHBAY_SECRET: 's'.repeat(40) };
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SIP transport config', () => {
  it('opens UDP and TCP on 5060 by default, TLS and WSS only with a certificate', () => {
    const c = loadConfig(base());
    expect(c).toMatchObject({ sipWsPort: 5062, sipUdpPort: 5060, sipTcpPort: 5060, sipTlsPort: null, sipWssPort: null, sipTls: null });
    expect(loadConfig({ ...base(), SIP_UDP_PORT: '0', SIP_TCP_PORT: '5070' })).toMatchObject({ sipUdpPort: null, sipTcpPort: 5070 });
  });

  it('reads the certificate and key files and opens TLS and WSS', () => {
    const env = base();
    const cert = path.join(env.DATA_DIR, 'c.pem');
    const key = path.join(env.DATA_DIR, 'k.pem');
    writeFileSync(cert, 'CERT');
    writeFileSync(key, 'KEY');
    expect(loadConfig({ ...env, SIP_TLS_CERT: cert, SIP_TLS_KEY: key, SIP_WSS_PORT: '8443' })).toMatchObject({ sipTlsPort: 5061, sipWssPort: 8443, sipTls: { cert: 'CERT', key: 'KEY' } });
  });

  it('fails at boot, naming the parameter, on half a TLS config or an unreadable file', () => {
    const env = base();
    expect(() => loadConfig({ ...env, SIP_TLS_CERT: '/nonexistent.pem' })).toThrow(/SIP_TLS_CERT and SIP_TLS_KEY/);
    expect(() => loadConfig({ ...env, SIP_TLS_CERT: '/nonexistent.pem', SIP_TLS_KEY: '/nonexistent.key' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, SIP_UDP_PORT: '70000' })).toThrow(/SIP_UDP_PORT/);
  });
});

describe('recordings directory', () => {
  it('defaults to <DATA_DIR>/recordings and takes RECORDINGS_DIR, made absolute', () => {
    const env = base();
    expect(loadConfig(env).recordingsDir).toBe(path.join(env.DATA_DIR, 'recordings'));
    expect(loadConfig({ ...env, RECORDINGS_DIR: 'rec-here' }).recordingsDir).toBe(path.resolve('rec-here'));
  });
});
