'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { PasswordLink, PersonRow } from '@/server/contracts/admin/people';
import type { QueueOption } from '@/server/contracts/admin/queues';
import { changeStamp } from '../_lib/format';
import { useApi } from '../_lib/use-api';
import { useMe } from '../_lib/use-me';
import { EditorPending } from '../_parts/editor-states';
import { PageFrame, ReadOnlyNote } from '../_parts/page-frame';
import { LinkDialog } from './link-dialog';
import { PasswordPanel } from './password-panel';
import { PersonForm } from './person-form';

/** Adds a person (id null) or edits one; after adding, the one-time link is shown once. */
export function PersonEditor({ id }: { id: string | null }) {
  const router = useRouter();
  const { canEdit } = useMe();
  const person = useApi<PersonRow>(id ? `/api/admin/people/${encodeURIComponent(id)}` : null);
  const queues = useApi<QueueOption[]>('/api/admin/queue-options');
  const [created, setCreated] = useState<{ person: PersonRow; link: PasswordLink } | null>(null);

  const current = id ? person.data : null;
  if ((id && !current) || !queues.data) return <EditorPending title={id ? 'Person' : 'Add a person'} error={person.error ?? queues.error} />;
  return (
    <PageFrame title={current ? current.name : 'Add a person'} lead={current ? changeStamp(current) : 'They sign in with their e-mail address.'}>
      {!canEdit && <ReadOnlyNote />}
      <PersonForm
        key={current ? `${current.id}:${current.version}` : 'new'}
        person={current}
        queues={queues.data}
        readOnly={!canEdit}
        onSaved={(saved, link) => {
          if (link) setCreated({ person: saved, link });
          else if (!current) router.push(`/admin/people/${encodeURIComponent(saved.id)}`);
          else person.reload();
        }}
        onReload={person.reload}
      />
      {current && canEdit && <PasswordPanel person={current} onChanged={person.reload} />}
      {created && (
        <LinkDialog
          link={created.link}
          name={created.person.name}
          onClose={() => router.push(`/admin/people/${encodeURIComponent(created.person.id)}`)}
        />
      )}
    </PageFrame>
  );
}
