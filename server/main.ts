import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import next from 'next';
import { Server as IoServer } from 'socket.io';
import { loadConfig, ConfigError } from './config';
import { createLogger } from './log';
import { openDatabase } from './db/database';
import { seedDemo } from './db/seed';
import type { ClientEvents, ServerEvents } from './shared/socket-events';

/**
 * The composition root: reads the config once, opens the database, starts the ACD (SIP switch
 * and media), the CTI (UA bank, domain, sockets) and the web edge, on one machine.
 * The CTI reaches the ACD only through its SIP WebSocket URL, as it would on another node.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const t0 = Date.now();

  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  log.info({ kind: db.kind, applied: db.applied }, 'database ready');
  let seeded: { email: string; role: string; password: string }[] = [];
  if (config.seedDemo) {
    seeded = (await seedDemo(db.prisma, { password: config.demoPassword ?? undefined })).created;
    if (seeded.length > 0 && !config.demoPassword) {
      const file = path.join(config.dataDir, 'demo-credentials.txt');
      writeFileSync(file, seeded.map((s) => `${s.role}\t${s.email}\t${s.password}`).join('\n') + '\n', { mode: 0o600 });
    }
  }

  // ACD, CTI and web are wired in below (see the merge of the acd, media, cti and web branches).
  const httpServer = http.createServer();
  const io = new IoServer<ClientEvents, ServerEvents>(httpServer, { serveClient: false });
  const app = next({ dev: false, dir: process.cwd() });
  await app.prepare();
  const handle = app.getRequestHandler();
  httpServer.on('request', (req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve) => httpServer.listen(config.httpPort, config.host, resolve));

  const base = `http://${config.publicHost}:${config.httpPort}`;
  log.info({ ms: Date.now() - t0 }, 'platform started');
  printWelcome(base, seeded, config.demoPassword !== null);

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    io.close();
    await new Promise<void>((r) => httpServer.close(() => r()));
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** The one place the platform talks to a person on the terminal (not a log line). */
function printWelcome(base: string, seeded: { email: string; role: string; password: string }[], fixedPassword: boolean): void {
  const lines = [
    '',
    `  Patchbay is running`,
    `    operator console  ${base}/login  → /console`,
    `    admin portal      ${base}/admin`,
    `    caller page       ${base}/call   (dial +15550100)`,
  ];
  if (seeded.length > 0) {
    lines.push('', '  Demo sign-ins (shown once' + (fixedPassword ? ', password from DEMO_PASSWORD' : '; also in .data/demo-credentials.txt') + '):');
    for (const s of seeded) lines.push(`    ${s.role.padEnd(9)} ${s.email.padEnd(24)} ${fixedPassword ? '(DEMO_PASSWORD)' : s.password}`);
  }
  lines.push('');
  process.stdout.write(lines.join('\n') + '\n');
}

void main();
