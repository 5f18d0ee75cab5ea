import path from 'node:path';
import { inspect } from 'node:util';
import { Server as IoServer } from 'socket.io';
import { loadConfig, ConfigError, type Config } from './config';
import { createLogger } from './log';
import type { ClientEvents, ServerEvents } from './contracts/socket-events';
import { roleFromArgv, RoleArgError, type Role } from './roles/role';
import { openPlatformBase, type PlatformBase } from './roles/platform-base';
import { startAcdRole } from './roles/acd-role';
import { startCtiAlone, startCtiRole } from './roles/cti-role';
import { seedDemoData, startWebRole, type Seeded } from './roles/web-role';
import { createHttpServer } from './roles/http-server';

/**
 * The entry point: `--role all` (the default, `npm start`) runs the ACD (SIP switch and media),
 * the CTI (UA bank, domain, sockets) and the web edge in one process on the embedded defaults;
 * `--role acd|cti|web` runs one part, each from its own composition root (server/roles/) and
 * the settings it needs, so a site can put them on different machines (docs/deploy.md).
 * The CTI reaches the ACD only through its SIP WebSocket URL, in one process as across machines.
 */
async function main(): Promise<void> {
  let role: Role;
  let config: Config;
  try {
    role = roleFromArgv(process.argv);
    config = loadConfig(process.env, role);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof RoleArgError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const root = createLogger(config.logLevel);
  const log = role === 'all' ? root : root.child({ role });
  const t0 = Date.now();
  const base = await openPlatformBase(config, log);
  const stops = role === 'all' ? await startAll(base, config) : await startOne(role, base, config);
  log.info({ ms: Date.now() - t0 }, role === 'all' ? 'platform started' : `${role} started`);

  let shutting: Promise<void> | null = null;
  const shutdown = (signal: string) =>
    (shutting ??= (async () => {
      log.info({ signal }, 'shutting down');
      await base.changes.stop();
      for (const stop of stops) await stop();
      await base.db.close();
      process.exit(0);
    })());
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** `npm start`: one process, one database, one HTTP server carrying the web and the CTI's socket.io. Returns the stops in order. */
async function startAll(base: PlatformBase, config: Config): Promise<Array<() => Promise<void>>> {
  const seeded = await seedDemoData(base, config);
  const acd = await startAcdRole(base, config);
  const server = createHttpServer();
  const io = new IoServer<ClientEvents, ServerEvents>(server, { serveClient: false });
  const cti = await startCtiRole(base, { ...config, sipWsPort: acd.acd.port }, io);
  const web = await startWebRole(base, config, { server, live: cti.cti.cti, trunkStatus: acd.acd });
  printWelcome(config, seeded);
  return [cti.stop, web.stop, acd.stop];
}

async function startOne(role: Exclude<Role, 'all'>, base: PlatformBase, config: Config): Promise<Array<() => Promise<void>>> {
  switch (role) {
    case 'acd': {
      const acd = await startAcdRole(base, config);
      base.log.info({ ports: acd.acd.ports, wsPort: acd.acd.port }, 'the ACD listens for SIP');
      return [acd.stop];
    }
    case 'cti': {
      const cti = await startCtiAlone(base, config);
      base.log.info({ port: config.ctiPort, acd: config.acdSipWsUrl }, 'the CTI listens for socket.io');
      return [cti.stop];
    }
    case 'web': {
      const seeded = await seedDemoData(base, config);
      const web = await startWebRole(base, config, { server: createHttpServer() });
      printWelcome(config, seeded);
      return [web.stop];
    }
  }
}

/** The one place the platform talks to a person on the terminal (not a log line). */
function printWelcome(config: Config, seeded: Seeded): void {
  const base = `http://${config.publicHost}:${config.httpPort}`;
  const credFile = path.join(config.dataDir, 'demo-credentials.txt');
  const fixedPassword = config.demoPassword !== null;
  const lines = [
    '',
    `  Patchbay is running`,
    `    operator console  ${base}/login  → /console`,
    `    admin portal      ${base}/admin`,
    `    caller page       ${base}/call   (dial +15550100)`,
  ];
  if (seeded.length > 0) {
    lines.push('', '  Demo sign-ins (shown once' + (fixedPassword ? ', password from DEMO_PASSWORD' : `; also in ${credFile}`) + '):');
    for (const s of seeded) lines.push(`    ${s.role.padEnd(9)} ${s.email.padEnd(24)} ${fixedPassword ? '(DEMO_PASSWORD)' : s.password}`);
  }
  lines.push('');
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`patchbay failed to start: ${err instanceof Error ? (err.stack ?? err.message) : inspect(err)}\n`);
  process.exit(1);
});
