import { pipeline } from 'node:stream/promises';
import { RecordingAudioQuery, RecordingsQuery } from '../contracts/admin/recordings';
import { RowId } from '../contracts/admin/paging';
import { AppError } from '../contracts/result';
import type { Logger } from '../log';
import type { RecordingService } from '../recordings/recording-service';
import { rangeAsk } from './byte-ranges';
import { ADMIN_ONLY, STAFF, actorOf, ok, param, query, route, type Ctx, type Route } from './route-table';

/**
 * Recordings in the portal (docs/recordings.md): admins and supervisors list and play them,
 * only admins delete. The audio route answers range requests (206) so the browser's player
 * can seek; a listen is audited when it starts (no Range, or a range from byte 0), not on every
 * seek; a download (?download=1) is audited as such.
 */
export function recordingRoutes(recordings: RecordingService, logger: Logger): Route[] {
  const log = logger.child({ part: 'web', module: 'recording-audio' });
  return [
    route('GET', '/api/admin/recordings', STAFF, async (c) => ok(c.res, await recordings.listForCall(query(c, RecordingsQuery).callId))),
    route('GET', '/api/admin/recordings/:id/audio', STAFF, async (c) => streamAudio(c, recordings, log)),
    route('DELETE', '/api/admin/recordings/:id', ADMIN_ONLY, async (c) => {
      await recordings.remove(actorOf(c), param(c, 'id', RowId));
      ok(c.res, { deleted: true });
    }),
  ];
}

async function streamAudio(c: Ctx, recordings: RecordingService, log: Logger): Promise<void> {
  const id = param(c, 'id', RowId);
  const download = query(c, RecordingAudioQuery).download === '1';
  const rec = await recordings.playable(id);
  if (rec.size === null) throw new AppError('NOT_FOUND', 'Recording file missing');
  const size = rec.size;
  const ask = rangeAsk(c.req.headers.range, size);
  const common: Record<string, string> = {
    'content-type': 'audio/wav',
    'accept-ranges': 'bytes',
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
    ...(download ? { 'content-disposition': `attachment; filename="recording-${rec.callId}.wav"` } : {}),
  };
  if (ask.kind === 'unsatisfiable') {
    c.res.writeHead(416, { ...common, 'content-range': `bytes */${size}`, 'content-type': 'text/plain; charset=utf-8' });
    c.res.end('the requested range is not inside the recording');
    return;
  }
  const startsAtZero = ask.kind === 'whole' || ask.range.start === 0;
  if (c.req.method !== 'HEAD' && (download || startsAtZero)) await recordings.audited(actorOf(c), download ? 'recording.download' : 'recording.listen', rec);
  if (ask.kind === 'whole') c.res.writeHead(200, { ...common, 'content-length': String(size) });
  else {
    const { start, end } = ask.range;
    c.res.writeHead(206, { ...common, 'content-length': String(end - start + 1), 'content-range': `bytes ${start}-${end}/${size}` });
  }
  if (c.req.method === 'HEAD') {
    c.res.end();
    return;
  }
  try {
    await pipeline(recordings.open(rec, ask.kind === 'range' ? ask.range : undefined), c.res);
  } catch (err) {
    // a listener who seeks or closes the page aborts the answer: normal, not an error
    const code = typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : null;
    if (code !== 'ERR_STREAM_PREMATURE_CLOSE') log.warn({ err, recordingId: rec.id }, 'recording stream failed');
  }
}
