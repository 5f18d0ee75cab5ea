'use client';
import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useForm, type Control, type Resolver, type UseFormRegister } from 'react-hook-form';
import type { z } from 'zod';
import { NEW_NUMBER_HOURS, NumberFormFields, type NumberRow, type NumberUpdate, type TrunkOption } from '@/server/contracts/admin/numbers';
import { closedRules, type ScheduleOption } from '@/server/contracts/admin/schedules';
import { HoursFields, type HoursValues } from '../_parts/hours-fields';
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
import { AudioPicker } from '../_parts/audio-picker';
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
  const schedules = useApi<ScheduleOption[]>('/api/admin/schedule-options');
  const current = e164 ? number.data : null;
  if ((e164 && !current) || !queues.data || !trunks.data || !schedules.data) return <EditorPending title={e164 ?? 'Add a number'} error={number.error ?? queues.error ?? trunks.error ?? schedules.error} />;
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
        schedules={schedules.data}
        readOnly={!canEdit}
        onSaved={(saved) => (current ? number.replace(saved) : router.push(`/admin/numbers/${encodeURIComponent(saved.e164)}`))}
        onReload={number.reload}
      />
    </PageFrame>
  );
}

type Values = z.input<typeof NumberFormFields> & { version?: number };
const KNOWN = ['e164', 'queueId', 'trunkId', 'holdAudio', 'scheduleId', 'closedAudio', 'closedAction', 'closedQueueId', 'closedNumber', 'priority'] as const;
const CreateSchema = NumberFormFields.superRefine(closedRules);
const EditSchema = NumberFormFields.extend({ version: Version }).superRefine(closedRules);

function NumberForm({ number, queues, trunks, schedules, readOnly, onSaved, onReload }: { number: NumberRow | null; queues: QueueOption[]; trunks: TrunkOption[]; schedules: ScheduleOption[]; readOnly: boolean; onSaved(n: NumberRow): void; onReload(): void }) {
  const defaults: Values = number
    ? { e164: number.e164, queueId: number.queueId, trunkId: number.trunkId, holdAudio: number.holdAudio, scheduleId: number.scheduleId, closedAudio: number.closedAudio, closedAction: number.closedAction, closedQueueId: number.closedQueueId, closedNumber: number.closedNumber, priority: number.priority, version: number.version }
    : { e164: '', queueId: queues[0]?.id ?? '', trunkId: null, holdAudio: 'default', priority: 0, ...NEW_NUMBER_HOURS };
  // editing sends the update schema's fields; the form also holds the (read-only) number
  const schema = number ? EditSchema : CreateSchema;
  const { register, control, handleSubmit, formState, setError, reset } = useForm<Values>({ resolver: zodResolver(schema) as unknown as Resolver<Values>, defaultValues: defaults, mode: 'onTouched' });
  const refusal = useServerErrors(setError, KNOWN);
  useUnsavedChanges(formState.isDirty && !formState.isSubmitSuccessful);
  const submit = handleSubmit(async (values) => {
    refusal.clear();
    const r = number
      ? await api<NumberRow>(`/api/admin/numbers/${encodeURIComponent(number.e164)}`, {
          method: 'PATCH',
          body: { queueId: values.queueId, trunkId: values.trunkId, holdAudio: values.holdAudio, scheduleId: values.scheduleId ?? null, closedAudio: values.closedAudio ?? null, closedAction: values.closedAction ?? 'release', closedQueueId: values.closedQueueId ?? null, closedNumber: values.closedNumber ?? null, priority: values.priority ?? 0, version: number.version } satisfies NumberUpdate,
        })
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
            <FormField control={control} name="holdAudio" label="Hold audio" hint="What callers to this number hear while they wait; the queue's own hold audio unless you pick a clip here. ▶ to listen before saving.">
              {(p) => <AudioPicker {...p} control={control} name="holdAudio" builtInLabel="default — the queue's hold audio" testId="number-hold-audio" />}
            </FormField>
            <FormField control={control} name="priority" label="Caller priority" hint="0 (normal) to 9: callers to this number go ahead of earlier callers in the queue; anyone who waits long enough still gets their turn.">
              {(p) => <Input {...p} {...register('priority', { valueAsNumber: true })} type="number" min={0} max={9} inputMode="numeric" data-testid="number-priority" />}
            </FormField>
          </div>
        </Section>
        <HoursFields control={control as unknown as Control<HoursValues>} register={register as unknown as UseFormRegister<HoursValues>} schedules={schedules} queues={queues} what="number" />
      </fieldset>
      {!readOnly && <SaveBar busy={formState.isSubmitting} dirty={formState.isDirty && !formState.isSubmitSuccessful} backHref="/admin/numbers" label={number ? 'Save' : 'Add the number'} />}
    </form>
  );
}
