import { inspect } from 'node:util';
import { loadConfig, ConfigError, type Config } from './config';
import { createLogger } from './log';
import { roleFromArgv, RoleArgError, type Role } from './roles/role';

/**
 * The entry point: `--role all` (the default, `npm start`) runs the ACD (SIP switch and media),
 * the CTI (UA bank, domain, sockets) and the web edge in one process on the embedded defaults;
 * `--role acd|cti|web` runs one part, each from its own composition root (server/roles/) and
 * the settings it needs, so a site can put them on different machines (docs/deploy.md).
 * The CTI reaches the ACD only through its SIP WebSocket URL, in one process as across machines.
 * The role and the config are checked before anything else is loaded, so a refusal is immediate.
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
  const [{ openPlatformBase }, { composeRole }] = await Promise.all([import('./roles/platform-base'), import('./roles/compose')]);
  const base = await openPlatformBase(config, log);
  const stops = await composeRole(role, base, config);
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

main().catch((err: unknown) => {
  process.stderr.write(`patchbay failed to start: ${err instanceof Error ? (err.stack ?? err.message) : inspect(err)}\n`);
  process.exit(1);
});
