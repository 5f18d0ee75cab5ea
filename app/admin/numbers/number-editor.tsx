'use client';
import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useForm, type Resolver } from 'react-hook-form';
import type { z } from 'zod';
import { NumberCreate, type NumberRow, type NumberUpdate, type TrunkOption } from '@/server/contracts/admin/numbers';
import { Version } from '@/server/contracts/admin/paging';
import type { QueueOption } from '@/server/contracts/admin/queues';
import { api } from '../../_lib/api';
import { FormField } from '../../_components/ui/form-field';
import { Input, Select } from '../../_components/ui/inputs';
import { useUnsavedChanges } from '../../_components/ui/use-unsaved-changes';
import { changeStamp } from '../_lib/format';
import { useServerErrors } from '../_lib/use-server-errors';
import { useApi } from '../_lib/use-api';
import { useMe } from '../_lib/use-me';
import { ConfirmDelete } from '../_parts/confirm-delete';
import { EditorPending } from '../_parts/editor-states';
import { FormBanner } from '../_parts/form-banner';
import { PageFrame, ReadOnlyNote, Section } from '../_parts/page-frame';
import { SaveBar } from '../_parts/save-bar';

/** Adds a number (e164 null) or edits one. The number itself is its key: to change it, add a new one. */
export function NumberEditor({ e164 }: { e164: string | null }) {
  const router = useRouter();
  const { canEdit } = useMe();
  const number = useApi<NumberRow>(e164 ? `/api/admin/numbers/${encodeURIComponent(e164)}` : null);
  const queues = useApi<QueueOption[]>('/api/admin/queue-options');
  const trunks = useApi<TrunkOption[]>('/api/admin/trunk-options');
  const current = e164 ? number.data : null;
  if ((e164 && !current) || !queues.data || !trunks.data) return <EditorPending title={e164 ?? 'Add a number'} error={number.error ?? queues.error ?? trunks.error} />;
  return (
    <PageFrame
      title={current ? current.e164 : 'Add a number'}
      lead={current ? changeStamp(current) : 'A new number answers calls within seconds of saving.'}
      actions={
        current &&
        canEdit && (
          <ConfirmDelete
            what="this number"
            onDelete={() => api(`/api/admin/numbers/${encodeURIComponent(current.e164)}?version=${current.version}`, { method: 'DELETE' })}
            onDeleted={() => router.push('/admin/numbers')}
          />
        )
      }
    >
      {!canEdit && <ReadOnlyNote />}
      <NumberForm
        key={current ? `${current.e164}:${current.version}` : 'new'}
        number={current}
        queues={queues.data}
        trunks={trunks.data}
        readOnly={!canEdit}
        onSaved={(saved) => (current ? number.reload() : router.push(`/admin/numbers/${encodeURIComponent(saved.e164)}`))}
        onReload={number.reload}
      />
    </PageFrame>
  );
}

type Values = z.input<typeof NumberCreate> & { version?: number };
const KNOWN = ['e164', 'queueId', 'trunkId', 'holdAudio'] as const;

function NumberForm({ number, queues, trunks, readOnly, onSaved, onReload }: { number: NumberRow | null; queues: QueueOption[]; trunks: TrunkOption[]; readOnly: boolean; onSaved(n: NumberRow): void; onReload(): void }) {
  const defaults: Values = number
    ? { e164: number.e164, queueId: number.queueId, trunkId: number.trunkId, holdAudio: number.holdAudio, version: number.version }
    : { e164: '', queueId: queues[0]?.id ?? '', trunkId: null, holdAudio: 'default' };
  // editing sends the update schema's fields; the form also holds the (read-only) number
  const schema = number ? NumberCreate.extend({ version: Version }) : NumberCreate;
  const { register, control, handleSubmit, formState, setError, reset } = useForm<Values>({ resolver: zodResolver(schema) as unknown as Resolver<Values>, defaultValues: defaults, mode: 'onTouched' });
  const refusal = useServerErrors(setError, KNOWN);
  useUnsavedChanges(formState.isDirty && !formState.isSubmitSuccessful);
  const submit = handleSubmit(async (values) => {
    refusal.clear();
    const r = number
      ? await api<NumberRow>(`/api/admin/numbers/${encodeURIComponent(number.e164)}`, { method: 'PATCH', body: { queueId: values.queueId, trunkId: values.trunkId, holdAudio: values.holdAudio, version: number.version } satisfies NumberUpdate })
      : await api<NumberRow>('/api/admin/numbers', { method: 'POST', body: values });
    if (r.ok) {
      reset(values);
      onSaved(r.data);
      return;
    }
    refusal.show(r);
  });
  return (
    <form onSubmit={submit} noValidate data-testid="number-form" className="grid">
      <FormBanner message={refusal.banner} onReload={refusal.stale ? onReload : undefined} />
      <fieldset disabled={readOnly} className="m-0 min-w-0 border-0 p-0">
        <Section title="Number">
          <div className="grid gap-4 md:grid-cols-2">
            <FormField control={control} name="e164" label="Number" hint="International format: + and the country code, e.g. +441632960123.">
              {(p) => <Input {...p} {...register('e164')} inputMode="tel" readOnly={!!number} data-testid="number-e164" />}
            </FormField>
            <FormField control={control} name="queueId" label="Queue">
              {(p) => (
                <Select {...p} {...register('queueId')} data-testid="number-queue">
                  {queues.map((q) => (
                    <option key={q.id} value={q.id}>
                      {q.name}
                    </option>
                  ))}
                </Select>
              )}
            </FormField>
            <FormField control={control} name="trunkId" label="Trunk" hint="Calls from a trunk are accepted only for its own numbers.">
              {(p) => (
                <Select {...p} {...register('trunkId', { setValueAs: (v: string) => (v === '' ? null : v) })} data-testid="number-trunk">
                  <option value="">None: WebRTC and SIP phones only</option>
                  {trunks.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                    </option>
                  ))}
                </Select>
              )}
            </FormField>
            <FormField control={control} name="holdAudio" label="Hold audio" hint="A clip name; default is the built-in music.">
              {(p) => <Input {...p} {...register('holdAudio')} data-testid="number-hold-audio" />}
            </FormField>
          </div>
        </Section>
      </fieldset>
      {!readOnly && <SaveBar busy={formState.isSubmitting} dirty={formState.isDirty && !formState.isSubmitSuccessful} backHref="/admin/numbers" label={number ? 'Save' : 'Add the number'} />}
    </form>
  );
}
