/**
 * The platform as users run it, with signed-in operators ready on SIP phones — the set-up
 * shared by bench/full-flow.ts and bench/soak.ts: a scratch PostgreSQL database seeded with the
 * demo queue and `operators` operators, server/main.ts as a child process, each operator signed
 * in over HTTP, connected over socket.io, granted a browser device whose credentials register
 * one UDP phone (bench/phones-child.ts), then Ready.
 */
import path from 'node:path';
import { ask, connectConsole, signIn, type ConsoleSocket } from './console-client';
import { IpcChild } from './ipc-child';
import type { PhoneCreds, PhonesReply, PhonesRequest } from './phones-child';
import { PlatformProcess } from './platform-process';
import { ScratchDb } from './scratch-db';

const PASSWORD = 'bench-password-not-secret';
const DOMAIN = 'patchbay.local';
const HERE = path.dirname(new URL(import.meta.url).pathname);

export interface OperatorsPlatform {
  db: ScratchDb;
  platform: PlatformProcess;
  phones: IpcChild<PhonesRequest, PhonesReply>;
  consoles: ConsoleSocket[];
  fanoutCookies: string[];
  supervisorCookies: string[];
  /** seconds the HTTP sign-ins took */
  signS: number;
  phonesRegistered: number;
}

export async function inBatches<T, R>(xs: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const res: R[] = [];
  for (let i = 0; i < xs.length; i += n) res.push(...(await Promise.all(xs.slice(i, i + n).map(fn))));
  return res;
}

/**
 * Boots it all; every part started is pushed on `cleanups` (run in reverse) as soon as it runs,
 * so an interrupted set-up leaves nothing behind.
 */
export async function startPlatformWithOperators(o: { work: string; operators: number; fanout: number; supervisors: number; cleanups: Array<() => Promise<void>>; onPlatform?: (p: PlatformProcess, db: ScratchDb) => void }): Promise<OperatorsPlatform> {
  const db = await ScratchDb.create();
  o.cleanups.push(() => db.drop());
  const seeded = await db.seed({ operators: o.operators, fanout: o.fanout, supervisors: o.supervisors, password: PASSWORD });
  const platform = await PlatformProcess.start({ databaseUrl: db.url, dataDir: path.join(o.work, 'data'), logFile: path.join(o.work, 'platform.log') });
  o.cleanups.push(() => platform.stop());
  o.onPlatform?.(platform, db);

  const phones = new IpcChild<PhonesRequest, PhonesReply>(['--import', 'tsx', path.join(HERE, 'phones-child.ts')]);
  o.cleanups.push(() => phones.stop({ op: 'stop' }, 5000));
  await phones.wait('ready', 30_000);

  const tSign = Date.now();
  const cookies = await inBatches(seeded.operators, 8, (email) => signIn(platform.base, email, PASSWORD));
  const signS = (Date.now() - tSign) / 1000;
  const consoles: ConsoleSocket[] = await inBatches(cookies, 25, (c) => connectConsole(platform.base, c));
  o.cleanups.push(async () => consoles.forEach((s) => s.close()));
  const grants = await inBatches(consoles, 25, (s) => ask(s, 'agent:device', { kind: 'browser' }));
  const creds: PhoneCreds[] = grants.map((g) => {
    if (g.kind !== 'browser') throw new Error('expected a browser grant');
    return { user: g.sipUser, password: g.sipPassword };
  });
  const reg = await phones.ask({ op: 'register', phones: creds, host: '127.0.0.1', port: platform.sipUdpPort, domain: DOMAIN }, 'registered', 120_000);
  if (reg.failed.length) throw new Error(`phones failed to register: ${reg.failed.slice(0, 3).join('; ')}`);
  await inBatches(consoles, 25, (s) => ask(s, 'agent:ready', {}));
  return { db, platform, phones, consoles, fanoutCookies: seeded.fanoutCookies, supervisorCookies: seeded.supervisorCookies, signS, phonesRegistered: reg.ok };
}
