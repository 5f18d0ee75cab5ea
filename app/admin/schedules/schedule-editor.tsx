'use client';
import { useRouter } from 'next/navigation';
import type { ScheduleRow } from '@/server/contracts/admin/schedules';
import { api } from '../../_lib/api';
import { changeStamp } from '../_lib/format';
import { useApi } from '../_lib/use-api';
import { useMe } from '../_lib/use-me';
import { ConfirmDelete } from '../_parts/confirm-delete';
import { EditorPending } from '../_parts/editor-states';
import { Banner, PageFrame, ReadOnlyNote } from '../_parts/page-frame';
import { ScheduleForm } from './schedule-form';

/** Adds a schedule (id null) or edits one; one that a queue or number follows is not deleted. */
export function ScheduleEditor({ id }: { id: string | null }) {
  const router = useRouter();
  const { canEdit } = useMe();
  const schedule = useApi<ScheduleRow>(id ? `/api/admin/schedules/${encodeURIComponent(id)}` : null);
  const current = id ? schedule.data : null;
  if (id && !current) return <EditorPending title="Schedule" error={schedule.error} />;
  const users = current ? [...current.usedBy.queues.map((q) => `queue ${q}`), ...current.usedBy.numbers.map((n) => `number ${n}`)] : [];
  return (
    <PageFrame
      title={current ? current.name : 'Add a schedule'}
      lead={current ? `${current.openNow ? 'Open' : 'Closed'} now. ${changeStamp(current)}` : 'Changes apply to the next call, without a restart.'}
      actions={
        current &&
        canEdit && (
          <ConfirmDelete
            what="this schedule"
            onDelete={() => api(`/api/admin/schedules/${encodeURIComponent(current.id)}?version=${current.version}`, { method: 'DELETE' })}
            onDeleted={() => router.push('/admin/schedules')}
          />
        )
      }
    >
      {!canEdit && <ReadOnlyNote />}
      {users.length > 0 && <Banner tone="info">Followed by {users.join(', ')}.</Banner>}
      <ScheduleForm
        key={current ? `${current.id}:${current.version}` : 'new'}
        schedule={current}
        readOnly={!canEdit}
        onSaved={(saved) => (current ? schedule.replace(saved) : router.push(`/admin/schedules/${encodeURIComponent(saved.id)}`))}
        onReload={schedule.reload}
      />
    </PageFrame>
  );
}
