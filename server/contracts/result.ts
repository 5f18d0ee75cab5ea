import { z } from 'zod';

/** Error codes every edge maps to its own transport (HTTP status, socket ack, SIP status). */
export const ErrorCode = z.enum([
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'ILLEGAL_TRANSITION',
  'UNAVAILABLE',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The acknowledgement of every socket event, and the body of every JSON API answer. */
export type Response<T> =
  | { ok: true; data: T }
  | { ok: false; error: { code: ErrorCode; message: string; fields?: Record<string, string> } };

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Turns any thrown value into a Response; unknown errors are hidden as INTERNAL. */
export function toErrorResponse(err: unknown): Response<never> {
  if (err instanceof AppError) {
    return { ok: false, error: { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}) } };
  }
  return { ok: false, error: { code: 'INTERNAL', message: 'internal error' } };
}

/** Field messages from a zod error, keyed by the dotted path. */
export function fieldErrors(err: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of err.issues) {
    const key = issue.path.join('.') || '_';
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
