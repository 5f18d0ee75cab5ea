import path from 'node:path';
import type { Config } from '../config';
import type { ClientEvents, ServerEvents } from '../contracts/socket-events';
import type { Role } from './role';
import type { PlatformBase } from './platform-base';
import type { Seeded } from './web-role';

type Stop = () => Promise<void>;

/**
 * Starts the parts of `role` on `base` and returns their stops, in the order to call them.
 * Each part's module is loaded only when this process runs it: an ACD does not load Next.js nor
 * socket.io, a CTI does not load the media engine.
 */
export async function composeRole(role: Role, base: PlatformBase, config: Config): Promise<Stop[]> {
  switch (role) {
    case 'all':
      return startAll(base, config);
    case 'acd': {
      const { startAcdAlone } = await import('./acd-role');
      const acd = await startAcdAlone(base, config);
      base.log.info({ ports: acd.acd.ports, wsPort: acd.acd.port, opsPort: acd.opsPort }, 'the ACD listens for SIP, and for its probes and /metrics over HTTP');
      return [acd.stop];
    }
    case 'cti': {
      const { startCtiAlone } = await import('./cti-role');
      const cti = await startCtiAlone(base, config);
      base.log.info({ port: config.ctiPort, acd: config.acdSipWsUrls }, 'the CTI listens for socket.io, its probes and /metrics');
      return [cti.stop];
    }
    case 'web': {
      const [{ seedDemoData, startWebRole }, { createHttpServer }] = await Promise.all([import('./web-role'), import('./http-server')]);
      const seeded = await seedDemoData(base, config);
      const web = await startWebRole(base, config, { server: createHttpServer() });
      printWelcome(config, seeded);
      return [web.stop];
    }
  }
}

/** `npm start`: one process, one database, one HTTP server carrying the web and the CTI's socket.io. */
async function startAll(base: PlatformBase, config: Config): Promise<Stop[]> {
  const [{ Server: IoServer }, { startAcdRole }, { startCtiRole }, { seedDemoData, startWebRole }, { createHttpServer }, { platformHealth }] = await Promise.all([
    import('socket.io'),
    import('./acd-role'),
    import('./cti-role'),
    import('./web-role'),
    import('./http-server'),
    import('../health/platform-health'),
  ]);
  // seeded first, as the ACD's dial plan and the CTI read what is there when they start
  const seeded = await seedDemoData(base, config);
  const acd = await startAcdRole(base, config);
  const server = createHttpServer();
  const io = new IoServer<ClientEvents, ServerEvents>(server, { serveClient: false });
  const cti = await startCtiRole(base, { ...config, sipWsPort: acd.acd.port }, io);
  const health = platformHealth({ prisma: base.db.prisma, acd: acd.acd, media: acd.media, bank: cti.cti.bank, logger: base.log });
  const web = await startWebRole(base, config, { server, live: cti.cti.cti, trunkStatus: acd.acd, health });
  printWelcome(config, seeded);
  return [cti.stop, web.stop, acd.stop];
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
