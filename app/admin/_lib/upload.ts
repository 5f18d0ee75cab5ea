import type { ApiResult } from '../../_lib/api';
import type { Response } from '@/server/contracts/result';

/**
 * A multipart upload with progress (fetch cannot report upload progress; XMLHttpRequest can).
 * Answers the same `ApiResult` shape as `api()`.
 */
export function uploadWithProgress<T>(path: string, form: FormData, onProgress: (fraction: number) => void): Promise<ApiResult<T>> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body: Response<T>;
      try {
        body = JSON.parse(xhr.responseText) as Response<T>;
      } catch {
        body = { ok: false, error: { code: 'INTERNAL', message: `unexpected answer (HTTP ${xhr.status})` } };
      }
      resolve({ ...body, status: xhr.status });
    };
    xhr.onerror = () => resolve({ ok: false, error: { code: 'UNAVAILABLE', message: 'The upload did not reach the server. Check your connection and try again.' }, status: 0 });
    xhr.send(form);
  });
}
