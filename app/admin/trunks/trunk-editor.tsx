'use client';
import { useRouter } from 'next/navigation';
import type { TrunkRow } from '@/server/contracts/admin/trunks';
import { api } from '../../_lib/api';
import { changeStamp } from '../_lib/format';
import { useApi } from '../_lib/use-api';
import { useMe } from '../_lib/use-me';
import { ConfirmDelete } from '../_parts/confirm-delete';
import { EditorPending } from '../_parts/editor-states';
import { PageFrame, ReadOnlyNote } from '../_parts/page-frame';
import { TrunkForm } from './trunk-form';
import { describe, StateBadge, useTrunkStatus } from './trunk-state';

/** Adds a trunk (id null) or edits one, with its live registration state; deleting is refused while numbers arrive through it. */
export function TrunkEditor({ id }: { id: string | null }) {
  const router = useRouter();
  const { canEdit } = useMe();
  const trunk = useApi<TrunkRow>(id ? `/api/admin/trunks/${encodeURIComponent(id)}` : null);
  const live = useTrunkStatus();
  const current = id ? trunk.data : null;
  if (id && !current) return <EditorPending title="Trunk" error={trunk.error} />;
  const state = current ? describe(current, live.byId.get(current.id), live.loaded, live.now, live.elsewhere) : null;
  return (
    <PageFrame
      title={current ? current.name : 'Add a trunk'}
      lead={current ? changeStamp(current) : 'The switch picks up a saved trunk within seconds, without a restart.'}
      actions={
        current &&
        canEdit && (
          <ConfirmDelete
            what="this trunk"
            onDelete={() => api(`/api/admin/trunks/${encodeURIComponent(current.id)}?version=${current.version}`, { method: 'DELETE' })}
            onDeleted={() => router.push('/admin/trunks')}
          />
        )
      }
    >
      {state && (
        <p className="m-0 mb-4 flex flex-wrap items-center gap-2" role="status" aria-live="polite">
          <span className="font-semibold">Registration:</span>
          <StateBadge {...state} testId="trunk-editor-state" />
        </p>
      )}
      {!canEdit && <ReadOnlyNote />}
      <TrunkForm
        key={current ? `${current.id}:${current.version}` : 'new'}
        trunk={current}
        readOnly={!canEdit}
        onSaved={(saved) => (current ? trunk.replace(saved) : router.push(`/admin/trunks/${encodeURIComponent(saved.id)}`))}
        onReload={trunk.reload}
      />
    </PageFrame>
  );
}
