import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Turbopack compiles only files under its root. In a git worktree whose node_modules is a
 * symlink to another checkout's install, the real packages live outside this directory, so
 * the root is the common ancestor of this directory and the real node_modules (this very
 * directory in an ordinary checkout).
 */
function workspaceRoot() {
  let modules;
  try {
    modules = realpathSync(path.join(here, 'node_modules'));
  } catch {
    return here;
  }
  let root = here;
  while (path.relative(root, modules).startsWith('..')) root = path.dirname(root);
  return root;
}

/**
 * Next.js renders the pages only; the API, socket.io and the page gate run in the same Node
 * process before Next's handler (server/main.ts). ESM because package.json says "type": "module".
 * @type {import('next').NextConfig}
 */
const config = {
  reactStrictMode: true,
  poweredByHeader: false,
  turbopack: { root: workspaceRoot() },
  // Next type-checks what it bundles (app/ and the server/contracts it imports); the
  // server is checked by `npm run typecheck`, so a server-side error never blocks the pages.
  typescript: { tsconfigPath: 'tsconfig.next.json' },
  // The server's own modules are not part of the web bundle; only server/contracts (browser-safe) is imported.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Permissions-Policy', value: 'microphone=(self), camera=()' },
        ],
      },
    ];
  },
};

export default config;
