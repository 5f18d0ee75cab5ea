import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config';
import { roleFromArgv, RoleArgError } from './role';

const dirs: string[] = [];
const dataDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'pb-role-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const SHARED = { DATABASE_URL: 'postgresql://pb@10.0.0.9:5432/patchbay', PATCHBAY_SECRET: 'x'.repeat(40) };

describe('--role', () => {
  it('reads --role X and --role=X, defaults to all, refuses anything else by name', () => {
    expect(roleFromArgv(['node', 'main.ts'])).toBe('all');
    expect(roleFromArgv(['node', 'main.ts', '--role', 'cti'])).toBe('cti');
    expect(roleFromArgv(['node', 'main.ts', '--role=web'])).toBe('web');
    expect(() => roleFromArgv(['node', 'main.ts', '--role', 'media'])).toThrow(/one of all, acd, cti, web/);
    expect(() => roleFromArgv(['node', 'main.ts', '--role'])).toThrow(RoleArgError);
    expect(() => roleFromArgv(['node', 'main.ts', '--verbose'])).toThrow(/unknown argument "--verbose"/);
  });
});

describe('the config of a part run alone', () => {
  it('npm start needs nothing: the embedded database and a generated secret', () => {
    const c = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir() });
    expect(c).toMatchObject({ role: 'all', databaseUrl: null, acdSipWsUrls: null, ctiUrl: null, acdPublicHost: '127.0.0.1' });
    expect(c.secret.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses to start without the shared settings, naming each with its reason, and never makes a secret of its own', () => {
    const dir = dataDir();
    const err = (() => {
      try {
        loadConfig({ NODE_ENV: 'test', DATA_DIR: dir }, 'cti');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^invalid configuration for --role cti:/);
    expect(msg).toMatch(/DATABASE_URL: required \(.*shared PostgreSQL\)/);
    expect(msg).toMatch(/PATCHBAY_SECRET: required/);
    expect(msg).toMatch(/ACD_SIP_WS_URL: required/);
    expect(existsSync(path.join(dir, 'secret'))).toBe(false);
    expect(() => loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, ...SHARED }, 'web')).toThrow(/CTI_URL: required/);
    expect(() => loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, DATABASE_URL: SHARED.DATABASE_URL }, 'acd')).toThrow(/PATCHBAY_SECRET: required/);
    expect(() => loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, ...SHARED, ACD_SIP_WS_URL: 'http://10.0.0.1:5062' }, 'cti')).toThrow(/ACD_SIP_WS_URL/);
  });

  it('takes each part’s own settings: where the ACD is for the bank and for devices, where the CTI is for the web', () => {
    const acd = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir(), ...SHARED, HOST: '0.0.0.0', PUBLIC_HOST: 'acd.example.com' }, 'acd');
    expect(acd).toMatchObject({ role: 'acd', publicHost: 'acd.example.com' });
    const cti = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir(), ...SHARED, ACD_SIP_WS_URL: 'ws://10.0.0.1:5062', ACD_PUBLIC_HOST: 'acd.example.com', CTI_PORT: '3101' }, 'cti');
    expect(cti).toMatchObject({ role: 'cti', acdSipWsUrls: ['ws://10.0.0.1:5062'], acdPublicHost: 'acd.example.com', ctiPort: 3101 });
    // several ACD nodes (behind Kamailio): the bank registers with each; each URL checked, none twice
    const two = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir(), ...SHARED, ACD_SIP_WS_URL: 'ws://10.0.0.1:5062, wss://10.0.0.11:5063' }, 'cti');
    expect(two.acdSipWsUrls).toEqual(['ws://10.0.0.1:5062', 'wss://10.0.0.11:5063']);
    expect(() => loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir(), ...SHARED, ACD_SIP_WS_URL: 'ws://10.0.0.1:5062,http://10.0.0.11:5062' }, 'cti')).toThrow(/ACD_SIP_WS_URL/);
    expect(() => loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir(), ...SHARED, ACD_SIP_WS_URL: 'ws://10.0.0.1:5062,ws://10.0.0.1:5062' }, 'cti')).toThrow(/each ACD node once/);
    const web = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir(), ...SHARED, CTI_URL: 'http://10.0.0.2:3101', PUBLIC_HOST: 'cc.example.com', ACD_PUBLIC_HOST: 'acd.example.com' }, 'web');
    expect(web).toMatchObject({ role: 'web', ctiUrl: 'http://10.0.0.2:3101', publicHost: 'cc.example.com', acdPublicHost: 'acd.example.com' });
  });
});
