// Runs `prisma generate` at install time.
// Why: Prisma's CLI tries to download its native schema engine, which is not on the npm
// registry and cannot be fetched on our machines; generating the client does not need it,
// so we point the variable at an existing file to stop the download (see docs/database.md).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('prisma/schema.prisma')) process.exit(0);
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/false' };
const r = spawnSync(process.execPath, ['node_modules/prisma/build/index.js', 'generate'], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
