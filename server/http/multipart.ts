import type { IncomingMessage, ServerResponse } from 'node:http';
import busboy from 'busboy';
import { AppError } from '../contracts/result';

/** One uploaded file and the text fields sent with it. */
export interface MultipartUpload {
  fields: Record<string, string>;
  file: { field: string; name: string; bytes: Buffer } | null;
}

/** Room for the form's other parts and boundaries next to the file itself. */
const ENVELOPE = 64 * 1024;

/**
 * Reads a multipart/form-data body with busboy (the streaming parser under multer and
 * fastify-multipart): at most one file of `maxFileBytes`, a few short text fields. The cap is
 * enforced while reading: a declared length over it is refused before a byte is read, and a
 * file that grows past it stops the read at once. Either way the answer is a field message on
 * `fileField` and the connection is closed (the rest of the body is not waited for).
 */
export function readMultipart(req: IncomingMessage, res: ServerResponse, opts: { maxFileBytes: number; fileField: string; tooLarge: string }): Promise<MultipartUpload> {
  const tooLarge = () => {
    res.setHeader('connection', 'close');
    return new AppError('BAD_REQUEST', opts.tooLarge, { [opts.fileField]: opts.tooLarge });
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > opts.maxFileBytes + ENVELOPE) return Promise.reject(tooLarge());
  if (!/^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '')) {
    return Promise.reject(new AppError('BAD_REQUEST', 'expected a file upload (content-type: multipart/form-data)'));
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: AppError) => {
      if (settled) return;
      settled = true;
      req.unpipe(bb);
      req.resume(); // drain and drop whatever is still coming
      reject(err);
    };
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fileSize: opts.maxFileBytes, fields: 8, fieldSize: 4096, parts: 10 } });
    } catch {
      reject(new AppError('BAD_REQUEST', 'the upload is malformed (no multipart boundary)'));
      return;
    }
    const fields: Record<string, string> = {};
    let file: MultipartUpload['file'] = null;
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => fail(tooLarge()));
      stream.on('close', () => {
        if (!settled && field === opts.fileField) file = { field, name: info.filename ?? '', bytes: Buffer.concat(chunks) };
      });
    });
    bb.on('filesLimit', () => fail(new AppError('BAD_REQUEST', 'send one file at a time', { [opts.fileField]: 'send one file at a time' })));
    bb.on('error', () => fail(new AppError('BAD_REQUEST', 'the upload is malformed or was cut short')));
    bb.on('close', () => {
      if (settled) return;
      settled = true;
      resolve({ fields, file });
    });
    req.on('aborted', () => fail(new AppError('BAD_REQUEST', 'the upload was cut short')));
    req.pipe(bb);
  });
}
