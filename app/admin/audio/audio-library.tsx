'use client';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { AUDIO_KIND_LABEL, formatDuration, type AudioRow } from '@/server/contracts/admin/audio';
import { Button } from '../../_components/ui/button';
import { DataTable, type dataTableFeatures } from '../../_components/ui/data-table';
import { formatWhen } from '../_lib/format';
import { useApi } from '../_lib/use-api';
import { useMe } from '../_lib/use-me';
import { ClipPlayer } from '../_parts/clip-player';
import { Banner, PageFrame, ReadOnlyNote } from '../_parts/page-frame';
import { DeleteClipDialog, EditClipDialog } from './clip-dialogs';
import { SpeechPanel } from './speech-panel';
import { UploadPanel } from './upload-panel';

const col = createColumnHelper<typeof dataTableFeatures, AudioRow>();
const BASE = col.columns([
  col.display({ id: 'play', header: () => <span className="visually-hidden">Listen</span>, cell: (c) => <ClipPlayer name={c.row.original.name} /> }),
  col.accessor('name', { header: 'Name', enableSorting: false, cell: (c) => <span className="whitespace-nowrap font-mono text-sm font-semibold" data-testid="clip-row-name">{c.getValue()}</span> }),
  col.accessor('kind', { header: 'Kind', enableSorting: false, cell: (c) => AUDIO_KIND_LABEL[c.getValue()] }),
  col.accessor('durationMs', { header: 'Length', enableSorting: false, cell: (c) => formatDuration(c.getValue()) }),
  col.accessor('text', {
    header: 'From',
    enableSorting: false,
    cell: (c) =>
      c.row.original.source === 'tts' ? (
        <span>
          Spoken: “<span className="break-words">{c.getValue()}</span>” <span className="text-muted">({c.row.original.voice})</span>
        </span>
      ) : (
        <span className="break-all">Upload: {c.getValue() ?? 'a file'}</span>
      ),
  }),
  col.accessor('usedBy', { header: 'Used by', enableSorting: false, cell: (c) => (c.getValue().length ? c.getValue().join('; ') : <span className="text-muted">Not used</span>) }),
  col.accessor('createdAt', { header: 'Added', enableSorting: false, cell: (c) => <span className="whitespace-nowrap">{formatWhen(c.getValue())}{c.row.original.createdByName ? ` by ${c.row.original.createdByName}` : ''}</span> }),
]);

/** The audio library page: the clips with ▶ buttons, and (for admins) upload and speech panels. */
export function AudioLibrary() {
  const { data, error, loading, reload } = useApi<AudioRow[]>('/api/admin/audio');
  const { me, canEdit } = useMe();
  const [editing, setEditing] = useState<AudioRow | null>(null);
  const [deleting, setDeleting] = useState<AudioRow | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const rows = data ?? [];
  const columns = canEdit
    ? [
        ...BASE,
        col.display({
          id: 'actions',
          header: () => <span className="visually-hidden">Actions</span>,
          cell: (c) => {
            const r = c.row.original;
            const inUse = r.usedBy.length > 0;
            return (
              <div className="flex flex-wrap gap-1">
                <Button size="sm" variant="quiet" onClick={() => setEditing(r)} data-testid={`clip-edit-${r.name}`}>
                  Edit
                </Button>
                <Button size="sm" variant="danger" disabled={inUse} title={inUse ? `In use by ${r.usedBy.join('; ')}: pick another clip there first` : `Delete ${r.name}`} onClick={() => setDeleting(r)} data-testid={`clip-delete-${r.name}`}>
                  Delete
                </Button>
              </div>
            );
          },
        }),
      ]
    : BASE;
  const onAdded = (r: AudioRow) => {
    setAdded(`${r.name} was added (${formatDuration(r.durationMs)}). Pick it as hold audio in a queue or a number.`);
    reload();
  };
  return (
    <PageFrame title="Audio library" lead="Prompts and hold music callers hear. Uploads and typed sentences become telephone-quality clips that queues and numbers pick by name.">
      {me && !canEdit && <ReadOnlyNote />}
      {added && <Banner tone="ok" testId="audio-added">{added}</Banner>}
      {canEdit && (
        <div className="mb-6 grid gap-4 lg:grid-cols-2">
          <UploadPanel onAdded={onAdded} />
          <SpeechPanel onAdded={onAdded} />
        </div>
      )}
      <h2 className="m-0 my-3 text-lg">Clips</h2>
      {error && <Banner>{error}</Banner>}
      <div className="mb-3 flex flex-wrap items-center gap-2 text-sm text-muted">
        <ClipPlayer name="default" label="the built-in music" testId="play-default" /> <span>default — the built-in hold music (always there, cannot be changed).</span>
      </div>
      <DataTable
        caption="Audio clips"
        testId="audio-table"
        columns={columns}
        rows={rows}
        rowId={(r) => r.id}
        page={{ page: 1, pageSize: Math.max(rows.length, 1), total: rows.length }}
        sort={null}
        onSortChange={() => undefined}
        onPageChange={() => undefined}
        loading={loading && !data}
        empty={canEdit ? 'No clip yet: upload a WAV or MP3 above, or type a sentence.' : 'No clip yet: an admin can upload one.'}
        paged={false}
      />
      {editing && <EditClipDialog clip={editing} onClose={() => setEditing(null)} onSaved={() => (setEditing(null), reload())} />}
      {deleting && <DeleteClipDialog clip={deleting} onClose={() => setDeleting(null)} onDeleted={() => (setDeleting(null), reload())} />}
    </PageFrame>
  );
}
