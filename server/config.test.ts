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

  it('keeps recordings locally by default; RECORDINGS_STORE=s3 needs a bucket and both keys or none', () => {
    const env = base();
    expect(loadConfig(env).recordingStore).toEqual({ kind: 'local' });
    const s3 = { ...env, RECORDINGS_STORE: 's3', RECORDINGS_S3_ENDPOINT: 'http://127.0.0.1:9000', RECORDINGS_S3_BUCKET: 'pb-recordings', RECORDINGS_S3_ACCESS_KEY_ID: 'AK', RECORDINGS_S3_SECRET_ACCESS_KEY: 'SK' };
    expect(loadConfig(s3).recordingStore).toEqual({
      kind: 's3',
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'pb-recordings',
      region: 'us-east-1',
      prefix: '',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
    });
    expect(loadConfig({ ...env, RECORDINGS_STORE: 's3', RECORDINGS_S3_BUCKET: 'pb-rec' }).recordingStore).toMatchObject({ endpoint: null, forcePathStyle: false, credentials: null });
    expect(() => loadConfig({ ...env, RECORDINGS_STORE: 's3' })).toThrow(/RECORDINGS_S3_BUCKET: required/);
    expect(() => loadConfig({ ...s3, RECORDINGS_S3_SECRET_ACCESS_KEY: undefined })).toThrow(/must be given together/);
    expect(() => loadConfig({ ...s3, RECORDINGS_S3_BUCKET: 'No_Such' })).toThrow(/RECORDINGS_S3_BUCKET/);
    expect(() => loadConfig({ ...s3, RECORDINGS_STORE: 'ftp' })).toThrow(/RECORDINGS_STORE/);
  });

  it('reports in UTC by default, in REPORT_TIME_ZONE when given, and refuses a zone Intl does not know', () => {
    const env = base();
    expect(loadConfig(env).reportTimeZone).toBe('UTC');
    expect(loadConfig({ ...env, REPORT_TIME_ZONE: 'Europe/London' }).reportTimeZone).toBe('Europe/London');
    expect(() => loadConfig({ ...env, REPORT_TIME_ZONE: 'Mars/Olympus' })).toThrow(/REPORT_TIME_ZONE: an IANA time zone name/);
  });
});

describe('metrics and overload config', () => {
  it('has no scrape token unless given, and the overload defaults', () => {
    expect(loadConfig(base())).toMatchObject({ metricsToken: null, overload: { maxWaiting: 1000, maxLagMs: 1000, resumeFraction: 0.8, retryAfterSec: 30 } });
    const token = 'a-scrape-token-of-thirty-two-chars-or-more';
    expect(loadConfig({ ...base(), METRICS_TOKEN: token, OVERLOAD_MAX_WAITING: '0', OVERLOAD_RETRY_AFTER_SEC: '5' })).toMatchObject({ metricsToken: token, overload: { maxWaiting: 0, maxOfferMs: 2000, retryAfterSec: 5 } });
    expect(loadConfig({ ...base(), OVERLOAD_MAX_OFFER_MS: '0' }).overload.maxOfferMs).toBe(0);
    expect(() => loadConfig({ ...base(), OVERLOAD_MAX_OFFER_MS: '-1' })).toThrow(/OVERLOAD_MAX_OFFER_MS/);
  });

  it('refuses a short or spaced token at boot, naming the parameter but never the value', () => {
    for (const METRICS_TOKEN of ['too-short', 'a token with spaces in it, long enough to pass']) {
      let message = '';
      try {
        loadConfig({ ...base(), METRICS_TOKEN });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/METRICS_TOKEN/);
      expect(message).not.toContain(METRICS_TOKEN);
    }
    expect(() => loadConfig({ ...base(), OVERLOAD_RESUME_FRACTION: '1.5' })).toThrow(/OVERLOAD_RESUME_FRACTION/);
  });
});

describe('media engine config', () => {
  it('is the embedded engine by default; rtpengine needs its NG address wherever the ACD runs', () => {
    expect(loadConfig(base()).mediaEngine).toEqual({ kind: 'werift' });
    // browsers through rtpengine, plain RTP legs on the embedded engine, unless RTPENGINE_LEGS=all
    expect(loadConfig({ ...base(), MEDIA_ENGINE: 'rtpengine', RTPENGINE_NG: '127.0.0.1:22222' }).mediaEngine).toEqual({ kind: 'rtpengine', ng: '127.0.0.1:22222', legs: 'webrtc' });
    expect(loadConfig({ ...base(), MEDIA_ENGINE: 'rtpengine', RTPENGINE_NG: '127.0.0.1:22222', RTPENGINE_LEGS: 'all' }).mediaEngine).toEqual({ kind: 'rtpengine', ng: '127.0.0.1:22222', legs: 'all' });
    expect(() => loadConfig({ ...base(), MEDIA_ENGINE: 'rtpengine', RTPENGINE_NG: '127.0.0.1:22222', RTPENGINE_LEGS: 'phones' })).toThrow(/RTPENGINE_LEGS/);
    expect(() => loadConfig({ ...base(), MEDIA_ENGINE: 'rtpengine' })).toThrow(/RTPENGINE_NG: required/);
    expect(() => loadConfig({ ...base(), DATABASE_URL: 'postgres://x@127.0.0.1/x', MEDIA_ENGINE: 'rtpengine' }, 'acd')).toThrow(/RTPENGINE_NG: required/);
    expect(loadConfig({ ...base(), CTI_URL: 'http://127.0.0.1:3001', DATABASE_URL: 'postgres://x@127.0.0.1/x', MEDIA_ENGINE: 'rtpengine' }, 'web').mediaEngine).toEqual({ kind: 'werift' });
    expect(() => loadConfig({ ...base(), MEDIA_ENGINE: 'kurento' })).toThrow(/MEDIA_ENGINE/);
    expect(() => loadConfig({ ...base(), MEDIA_ENGINE: 'rtpengine', RTPENGINE_NG: 'nowhere' })).toThrow(/RTPENGINE_NG/);
  });
});

describe('media and recovery settings', () => {
  it('takes an ICE port range for browsers, given whole and apart from the RTP range', () => {
    expect(loadConfig(base())).toMatchObject({ icePortRange: null, recoverySettleMs: 3000, acdOpsPort: 3002 });
    expect(loadConfig({ ...base(), ICE_PORT_MIN: '40000', ICE_PORT_MAX: '40999', RTP_PORT_MIN: '30000', RTP_PORT_MAX: '30999' })).toMatchObject({ icePortRange: [40000, 40999], rtpPortRange: [30000, 30999] });
    expect(() => loadConfig({ ...base(), ICE_PORT_MIN: '40000' })).toThrow(/ICE_PORT_MIN\/ICE_PORT_MAX: give both/);
    expect(() => loadConfig({ ...base(), ICE_PORT_MIN: '40999', ICE_PORT_MAX: '40000' })).toThrow(/give both, min below max/);
    expect(() => loadConfig({ ...base(), ICE_PORT_MIN: '30500', ICE_PORT_MAX: '31500', RTP_PORT_MIN: '30000', RTP_PORT_MAX: '30999' })).toThrow(/must not overlap/);
  });

  it('takes the recovery settle delay and the ACD ops port, within bounds', () => {
    expect(loadConfig({ ...base(), CTI_RECOVERY_SETTLE_MS: '8000', ACD_OPS_PORT: '9102' })).toMatchObject({ recoverySettleMs: 8000, acdOpsPort: 9102 });
    expect(() => loadConfig({ ...base(), CTI_RECOVERY_SETTLE_MS: '50' })).toThrow(/CTI_RECOVERY_SETTLE_MS/);
  });
});
