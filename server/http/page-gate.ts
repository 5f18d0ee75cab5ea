import type { IncomingMessage, ServerResponse } from 'node:http';
import { PAGE_ROLES, homeFor } from '../contracts/web-api';
import type { PageSessionResolver } from './session-service';

/**
 * Guards the signed-in pages before Next.js renders them, so no page HTML (nor its RSC
 * payload) reaches a visitor who may not see it. Returns true when it answered the request
 * itself (redirect or 403); false lets the request through to Next.js. A person whose
 * password must be changed (an admin asked for it) is sent to /set-password first.
 */
export interface PageGateDeps {
  sessions: PageSessionResolver;
}

export type PageGate = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function createPageGate(deps: PageGateDeps): PageGate {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://internal');
    const rule = PAGE_ROLES.find((r) => url.pathname === r.prefix || url.pathname.startsWith(`${r.prefix}/`));
    if (!rule) return false;
    const session = await deps.sessions.resolveSession(req.headers.cookie);
    const next = encodeURIComponent(url.pathname + url.search);
    if (!session || session.mustChangePassword) {
      res.writeHead(303, { location: session ? `/set-password?next=${next}` : `/login?next=${next}`, 'cache-control': 'no-store' });
      res.end();
      return true;
    }
    const { user } = session;
    if (rule.roles.includes(user.role)) return false;
    const home = homeFor(user.role);
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not allowed — Patchbay</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d2733}a{color:#0b5cad}</style></head>
<body><main><h1>This page is not for your role</h1>
<p>You are signed in as ${escapeHtml(user.name)} (${escapeHtml(user.role.toLowerCase())}). The page ${escapeHtml(rule.prefix)} is for ${rule.roles
      .map((r) => r.toLowerCase())
      .join(' and ')} accounts.</p>
<p><a href="${escapeHtml(home)}" data-testid="forbidden-home">Go to your page</a> · <a href="/login" data-testid="forbidden-login">Sign in as someone else</a></p></main></body></html>`;
    res.writeHead(403, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : html);
    return true;
  };
}
