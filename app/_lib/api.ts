import type { Response } from '@/server/contracts/result';

/**
 * The one way pages call the JSON API: same origin, cookies included, and every answer read
 * as a `Response<T>`. Network failures become an error Response too, so callers have one shape.
 */
export type ApiResult<T> = Response<T> & { status: number };

export async function api<T>(path: string, init: { method?: 'GET' | 'POST' | 'PATCH' | 'DELETE'; body?: unknown } = {}): Promise<ApiResult<T>> {
  try {
    const res = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      cache: 'no-store',
    });
    const retry = res.headers.get('retry-after');
    let body: Response<T>;
    try {
      body = (await res.json()) as Response<T>;
    } catch {
      body = { ok: false, error: { code: 'INTERNAL', message: `unexpected answer (HTTP ${res.status})` } };
    }
    if (!body.ok && retry && body.error.code === 'RATE_LIMITED') body.error.message = `Too many failed attempts. Try again in ${retry} s.`;
    return { ...body, status: res.status };
  } catch {
    return { ok: false, error: { code: 'UNAVAILABLE', message: 'The server cannot be reached. Check your connection.' }, status: 0 };
  }
}

export async function signOut(): Promise<void> {
  await api('/api/auth/logout', { method: 'POST', body: {} });
  window.location.assign('/login');
}
