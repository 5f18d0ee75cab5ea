'use client';
import { useState } from 'react';
import type { RecordingRow } from '@/server/contracts/admin/recordings';
import { api } from '../../../_lib/api';
import { Button } from '../../../_components/ui/button';
import { formatWhen } from '../../_lib/format';
import { useApi } from '../../_lib/use-api';
import { useMe } from '../../_lib/use-me';
import { ConfirmDelete } from '../../_parts/confirm-delete';
import { Banner } from '../../_parts/page-frame';

/**
 * A call's recordings on its page: the browser's own player (it seeks with range requests), a
 * download link and, for admins, delete. The audio is fetched only when someone presses play
 * (preload="none"), so opening the page is not counted as a listen in the audit.
 */
export function RecordingPlayer({ callId }: { callId: string }) {
  const { data, error, reload } = useApi<RecordingRow[]>(`/api/admin/recordings?callId=${encodeURIComponent(callId)}`);
  const { canEdit } = useMe();
  return (
    <section className="page pt-0" aria-labelledby="recordings-title" data-testid="recordings">
      <h2 id="recordings-title" className="m-0 mb-3 text-xl">
        Recording
      </h2>
      {error && <Banner testId="recordings-error">{error}</Banner>}
      {!data && !error && <p className="m-0 text-muted">Loading…</p>}
      {data?.length === 0 && (
        <p className="m-0 text-muted" data-testid="recordings-none">
          This call was not recorded. A queue records its calls when its recording setting is “Record every answered call” (Queues → the queue → Recording).
        </p>
      )}
      <div className="grid gap-4">
        {data?.map((r) => <OneRecording key={r.id} r={r} canDelete={canEdit} onDeleted={reload} />)}
      </div>
    </section>
  );
}

function OneRecording({ r, canDelete, onDeleted }: { r: RecordingRow; canDelete: boolean; onDeleted(): void }) {
  const [failed, setFailed] = useState(false);
  const facts = [formatWhen(r.startedAt), duration(r.durationMs), r.operatorName ? `operator ${r.operatorName}` : null, r.queueName ? `queue ${r.queueName}` : null, size(r.sizeBytes)].filter(Boolean);
  return (
    <div className="grid gap-3 rounded-box border border-border bg-surface p-4" data-testid="recording">
      <p className="m-0 text-sm text-muted">{facts.join(' · ')}</p>
      {r.available ? (
        <>
          <audio
            controls
            preload="none"
            src={r.audioUrl}
            className="w-full"
            data-testid="recording-audio"
            aria-label={`Recording of this call, ${duration(r.durationMs)}`}
            onError={() => setFailed(true)}
            onPlaying={() => setFailed(false)}
          />
          {failed && <Banner testId="recording-play-error">This recording could not be played. Try the download, or reload the page.</Banner>}
          <div className="flex flex-wrap gap-2">
            <Button asChild size="sm">
              <a href={`${r.audioUrl}?download=1`} data-testid="recording-download" download>
                Download (WAV)
              </a>
            </Button>
            {canDelete && (
              <ConfirmDelete what="this recording" onDelete={() => api(`/api/admin/recordings/${encodeURIComponent(r.id)}`, { method: 'DELETE' })} onDeleted={onDeleted} />
            )}
          </div>
        </>
      ) : (
        <>
          <Banner tone="info" testId="recording-missing">
            Recording file missing. Its details are kept, but the audio is no longer in the recordings store (it was deleted or moved outside Patchbay).
          </Banner>
          {canDelete && (
            <div>
              <ConfirmDelete what="this recording" onDelete={() => api(`/api/admin/recordings/${encodeURIComponent(r.id)}`, { method: 'DELETE' })} onDeleted={onDeleted} />
            </div>
          )}
        </>
      )}
    </div>
  );
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function size(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1000))} kB`;
}
