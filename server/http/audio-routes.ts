import type { AdminServices } from '../admin/admin-services';
import { AudioId, AudioSynthesize, AudioUpdate, AudioUploadFields, BUILT_IN_CLIP, ClipName, MAX_UPLOAD_BYTES } from '../contracts/admin/audio';
import { VersionQuery } from '../contracts/admin/queues';
import { AppError, fieldErrors } from '../contracts/result';
import { z } from 'zod';
import { readMultipart } from './multipart';
import { ADMIN_ONLY, STAFF, actorOf, body, ok, param, query, route, type Route } from './route-table';

/** A clip to play: a library name or the built-in music. */
const PlayableName = z.union([z.literal(BUILT_IN_CLIP), ClipName]);

/**
 * The audio library's API: supervisors and admins list and listen; admins upload, synthesise,
 * rename and delete. The upload is multipart/form-data (fields `name`, `kind`, then `file`),
 * capped while it is read; the WAV route answers audio/wav for the page's ▶ preview.
 */
export function audioRoutes(admin: AdminServices, bodyLimit: number): Route[] {
  return [
    route('GET', '/api/admin/audio', STAFF, async (c) => ok(c.res, await admin.audio.list())),
    route('GET', '/api/admin/audio-options', STAFF, async (c) => ok(c.res, await admin.audio.options())),
    route('GET', '/api/admin/audio/:id', STAFF, async (c) => ok(c.res, await admin.audio.get(param(c, 'id', AudioId)))),
    route('GET', '/api/admin/audio-files/:name', STAFF, async (c) => {
      const wav = await admin.audio.wav(param(c, 'name', PlayableName));
      c.res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.length, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      c.res.end(c.req.method === 'HEAD' ? undefined : wav);
    }),
    route('POST', '/api/admin/audio', ADMIN_ONLY, async (c) => {
      const actor = actorOf(c);
      const up = await readMultipart(c.req, c.res, { maxFileBytes: MAX_UPLOAD_BYTES, fileField: 'file', tooLarge: `the file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` });
      const fields = AudioUploadFields.safeParse(up.fields);
      if (!fields.success) throw new AppError('BAD_REQUEST', 'check the highlighted fields', fieldErrors(fields.error));
      if (!up.file || up.file.bytes.length === 0) throw new AppError('BAD_REQUEST', 'choose a WAV or MP3 file', { file: 'choose a WAV or MP3 file' });
      ok(c.res, await admin.audio.upload(actor, fields.data, up.file), 201);
    }),
    route('POST', '/api/admin/audio-speech', ADMIN_ONLY, async (c) => ok(c.res, await admin.audio.synthesise(actorOf(c), await body(c, AudioSynthesize, bodyLimit)), 201)),
    route('PATCH', '/api/admin/audio/:id', ADMIN_ONLY, async (c) => ok(c.res, await admin.audio.update(actorOf(c), param(c, 'id', AudioId), await body(c, AudioUpdate, bodyLimit)))),
    route('DELETE', '/api/admin/audio/:id', ADMIN_ONLY, async (c) => {
      await admin.audio.remove(actorOf(c), param(c, 'id', AudioId), query(c, VersionQuery).version);
      ok(c.res, { deleted: true });
    }),
  ];
}
