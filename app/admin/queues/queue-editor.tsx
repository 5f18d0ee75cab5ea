'use client';
import { useRouter } from 'next/navigation';
import type { QueueOption, QueueRow } from '@/server/contracts/admin/queues';
import type { ScheduleOption } from '@/server/contracts/admin/schedules';
import { api } from '../../_lib/api';
import { changeStamp } from '../_lib/format';
import { useApi } from '../_lib/use-api';
import { useMe } from '../_lib/use-me';
import { ConfirmDelete } from '../_parts/confirm-delete';
import { EditorPending } from '../_parts/editor-states';
import { PageFrame, ReadOnlyNote } from '../_parts/page-frame';
import { QueueForm } from './queue-form';

/** Adds a queue (id null) or edits one; deleting is refused while callers wait or numbers route to it. */
export function QueueEditor({ id }: { id: string | null }) {
  const router = useRouter();
  const { canEdit } = useMe();
  const queue = useApi<QueueRow>(id ? `/api/admin/queues/${encodeURIComponent(id)}` : null);
  const options = useApi<QueueOption[]>('/api/admin/queue-options');
  const schedules = useApi<ScheduleOption[]>('/api/admin/schedule-options');
  const current = id ? queue.data : null;
  if ((id && !current) || !options.data || !schedules.data) return <EditorPending title={id ? 'Queue' : 'Add a queue'} error={queue.error ?? options.error ?? schedules.error} />;
  return (
    <PageFrame
      title={current ? current.name : 'Add a queue'}
      lead={current ? changeStamp(current) : 'Settings apply to the next call offered, without a restart.'}
      actions={
        current &&
        canEdit && (
          <ConfirmDelete
            what="this queue"
            onDelete={() => api(`/api/admin/queues/${encodeURIComponent(current.id)}?version=${current.version}`, { method: 'DELETE' })}
            onDeleted={() => router.push('/admin/queues')}
          />
        )
      }
    >
      {!canEdit && <ReadOnlyNote />}
      <QueueForm
        key={current ? `${current.id}:${current.version}` : 'new'}
        queue={current}
        others={options.data.filter((q) => q.id !== current?.id)}
        schedules={schedules.data}
        readOnly={!canEdit}
        onSaved={(saved) => (current ? queue.replace(saved) : router.push(`/admin/queues/${encodeURIComponent(saved.id)}`))}
        onReload={queue.reload}
      />
    </PageFrame>
  );
}
