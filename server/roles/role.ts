import { z } from 'zod';

/**
 * Which part of the platform this process runs. `all` is `npm start`: every part in one
 * process on the embedded defaults. `acd`, `cti` and `web` each run one part, so a site can
 * put them on different machines (docs/deploy.md).
 */
export const Role = z.enum(['all', 'acd', 'cti', 'web']);
export type Role = z.infer<typeof Role>;

export class RoleArgError extends Error {
  override name = 'RoleArgError';
}

/** `--role X` or `--role=X` from the command line; absent: `all`. Anything else is refused by name. */
export function roleFromArgv(argv: readonly string[]): Role {
  const args = argv.slice(2);
  let raw: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--role') raw = args[++i] ?? '';
    else if (a.startsWith('--role=')) raw = a.slice('--role='.length);
    else throw new RoleArgError(`unknown argument ${JSON.stringify(a)} (usage: server/main.ts [--role all|acd|cti|web])`);
  }
  if (raw === undefined) return 'all';
  const parsed = Role.safeParse(raw);
  if (!parsed.success) throw new RoleArgError(`--role must be one of all, acd, cti, web (got ${JSON.stringify(raw)})`);
  return parsed.data;
}

/**
 * What a part run on its own cannot do without: the embedded database and the generated secret
 * belong to one process and one machine, so separate parts must be given the shared ones.
 * `all` needs nothing (embedded defaults). The reason is shown to whoever starts the process.
 */
export const ROLE_REQUIRES: Record<Role, ReadonlyArray<{ name: string; why: string }>> = {
  all: [],
  acd: [
    { name: 'DATABASE_URL', why: 'the numbers, trunks and audio the ACD serves are read from the shared PostgreSQL' },
    { name: 'PATCHBAY_SECRET', why: 'the ACD checks device and bank credentials the CTI issues under this shared secret' },
  ],
  cti: [
    { name: 'DATABASE_URL', why: 'operators, queues, sessions and call records live in the shared PostgreSQL' },
    { name: 'PATCHBAY_SECRET', why: 'the bank signs in to the ACD and device credentials are issued under this shared secret' },
    { name: 'ACD_SIP_WS_URL', why: 'the bank reaches the ACD over SIP WebSocket at this URL, e.g. ws://10.0.0.1:5062' },
  ],
  web: [
    { name: 'DATABASE_URL', why: 'users, sessions and the portal’s settings live in the shared PostgreSQL' },
    { name: 'PATCHBAY_SECRET', why: 'trunk passwords are stored under this shared secret, which the ACD decrypts' },
    { name: 'CTI_URL', why: 'browsers’ live connections (socket.io) are passed on to the CTI at this URL, e.g. http://10.0.0.2:3001' },
  ],
};
