'use client';
import Link from 'next/link';
import { useWatch, type Control, type UseFormRegister } from 'react-hook-form';
import type { QueueOption } from '@/server/contracts/admin/queues';
import { CLOSED_ACTION_LABEL, ClosedAction, type ScheduleOption } from '@/server/contracts/admin/schedules';
import { FormField } from '../../_components/ui/form-field';
import { Input, Select } from '../../_components/ui/inputs';
import { AudioPicker } from './audio-picker';
import { Section } from './page-frame';

/**
 * The business-hours part of the queue and number forms: which schedule, and what a caller gets
 * while it says closed (the closed message and then hang up, or another queue, or a number).
 * Both forms hold these five fields under the same names as the API.
 */
export interface HoursValues {
  scheduleId: string | null;
  closedAudio: string | null;
  closedAction: ClosedAction;
  closedQueueId: string | null;
  closedNumber: string | null;
}

const nullIfEmpty = (v: string) => (v === '' ? null : v);

export function HoursFields({ control, register, schedules, queues, what }: { control: Control<HoursValues>; register: UseFormRegister<HoursValues>; schedules: ScheduleOption[]; queues: QueueOption[]; what: 'queue' | 'number' }) {
  const scheduleId = useWatch({ control, name: 'scheduleId' });
  const action = useWatch({ control, name: 'closedAction' });
  return (
    <Section
      title="Business hours"
      hint={
        what === 'number'
          ? "Checked before the queue's own hours. Outside them, callers to this number get what you choose below."
          : 'Outside these hours, callers to this queue get what you choose below.'
      }
    >
      <div className="grid gap-4 md:grid-cols-2">
        <FormField
          control={control}
          name="scheduleId"
          label="Schedule"
          hint={
            schedules.length === 0 ? (
              <>
                No schedules yet: <Link href="/admin/schedules/new">add one</Link> first.
              </>
            ) : (
              'Always open when none is chosen.'
            )
          }
        >
          {(p) => (
            <Select {...p} {...register('scheduleId', { setValueAs: nullIfEmpty })} data-testid={`${what}-schedule`}>
              <option value="">Always open</option>
              {schedules.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.timeZone})
                </option>
              ))}
            </Select>
          )}
        </FormField>
        {scheduleId && (
          <FormField control={control} name="closedAction" label="While closed">
            {(p) => (
              <Select {...p} {...register('closedAction')} data-testid={`${what}-closed-action`}>
                {ClosedAction.options.map((a) => (
                  <option key={a} value={a}>
                    {CLOSED_ACTION_LABEL[a]}
                  </option>
                ))}
              </Select>
            )}
          </FormField>
        )}
        {scheduleId && action === 'release' && (
          <FormField control={control} name="closedAudio" label="Closed message" hint="Played once before the call ends.">
            {(p) => <AudioPicker {...p} control={control} name="closedAudio" noneLabel="No message — hang up at once" testId={`${what}-closed-audio`} />}
          </FormField>
        )}
        {scheduleId && action === 'overflow_queue' && (
          <FormField control={control} name="closedQueueId" label="Queue while closed">
            {(p) => (
              <Select {...p} {...register('closedQueueId', { setValueAs: nullIfEmpty })} data-testid={`${what}-closed-queue`}>
                <option value="">Choose a queue</option>
                {queues.map((q) => (
                  <option key={q.id} value={q.id}>
                    {q.name}
                  </option>
                ))}
              </Select>
            )}
          </FormField>
        )}
        {scheduleId && action === 'overflow_number' && (
          <FormField control={control} name="closedNumber" label="Forward to" hint="International format, e.g. +441632960123; the call goes out through a trunk.">
            {(p) => <Input {...p} {...register('closedNumber', { setValueAs: nullIfEmpty })} inputMode="tel" data-testid={`${what}-closed-number`} />}
          </FormField>
        )}
      </div>
    </Section>
  );
}
