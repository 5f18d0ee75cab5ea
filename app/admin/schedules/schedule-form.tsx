'use client';
import { zodResolver } from '@hookform/resolvers/zod';
import { useMemo } from 'react';
import { get, useFieldArray, useForm, useFormState, useWatch, type Control, type Resolver, type UseFormRegister } from 'react-hook-form';
import type { z } from 'zod';
import { NEW_SCHEDULE, ScheduleFields, WEEKDAYS, scheduleRules, timeZoneChoices, type ScheduleRow } from '@/server/contracts/admin/schedules';
import { api } from '../../_lib/api';
import { Button } from '../../_components/ui/button';
import { FormField } from '../../_components/ui/form-field';
import { FormErrorMessage } from '../../_components/ui/form-error-message';
import { Input, Select } from '../../_components/ui/inputs';
import { useUnsavedChanges } from '../../_components/ui/use-unsaved-changes';
import { useServerErrors } from '../_lib/use-server-errors';
import { FormBanner } from '../_parts/form-banner';
import { Section } from '../_parts/page-frame';
import { SaveBar } from '../_parts/save-bar';

/**
 * The schedule form, on the API's own schema: the week as one block per day (several opening
 * intervals each, readable at 390 px: a day is a heading and rows of two times), then the
 * holidays, each a date or a range, closed or with its own hours.
 */
const FormSchema = ScheduleFields.superRefine(scheduleRules);
type Values = z.input<typeof FormSchema>;
const KNOWN = Object.keys(ScheduleFields.shape);

function defaults(s: ScheduleRow | null): Values {
  if (!s) return NEW_SCHEDULE;
  return { name: s.name, timeZone: s.timeZone, weekly: s.weekly, holidays: s.holidays };
}

const TIME_HINT = 'HH:MM, 24-hour; 24:00 ends the day';

export function ScheduleForm({ schedule, readOnly, onSaved, onReload }: { schedule: ScheduleRow | null; readOnly: boolean; onSaved(s: ScheduleRow): void; onReload(): void }) {
  const form = useForm<Values>({ resolver: zodResolver(FormSchema) as Resolver<Values>, defaultValues: defaults(schedule), mode: 'onTouched' });
  const { register, control, handleSubmit, formState, setError, reset } = form;
  const weekly = useFieldArray({ control, name: 'weekly' });
  const holidays = useFieldArray({ control, name: 'holidays' });
  const week = useWatch({ control, name: 'weekly' });
  const refusal = useServerErrors(setError, KNOWN);
  useUnsavedChanges(formState.isDirty && !formState.isSubmitSuccessful);
  const zones = useMemo(() => timeZoneChoices(), []);

  const submit = handleSubmit(async (values) => {
    refusal.clear();
    const body = schedule ? { ...values, version: schedule.version } : values;
    const r = schedule
      ? await api<ScheduleRow>(`/api/admin/schedules/${encodeURIComponent(schedule.id)}`, { method: 'PATCH', body })
      : await api<ScheduleRow>('/api/admin/schedules', { method: 'POST', body });
    if (r.ok) {
      reset(defaults(r.data));
      onSaved(r.data);
      return;
    }
    refusal.show(r);
  });

  /** Monday's hours onto Tuesday–Friday (the common office week), replacing theirs. */
  const copyMonday = () => {
    const monday = (week ?? []).filter((w) => w.day === 0);
    const keep = (week ?? []).filter((w) => w.day === 0 || w.day > 4);
    weekly.replace([...keep, ...[1, 2, 3, 4].flatMap((day) => monday.map((m) => ({ ...m, day })))]);
  };
  const mondayEmpty = !(week ?? []).some((w) => w.day === 0);

  return (
    <form onSubmit={submit} noValidate data-testid="schedule-form" className="grid">
      <FormBanner message={refusal.banner} onReload={refusal.stale ? onReload : undefined} />
      <fieldset disabled={readOnly} className="m-0 min-w-0 border-0 p-0">
        <Section title="Schedule">
          <div className="grid gap-4 md:grid-cols-2">
            <FormField control={control} name="name" label="Name">
              {(p) => <Input {...p} {...register('name')} data-testid="schedule-name" />}
            </FormField>
            <FormField control={control} name="timeZone" label="Time zone" hint="Opening hours are local times in this zone; summer time is followed by itself.">
              {(p) => (
                <Select {...p} {...register('timeZone')} data-testid="schedule-zone">
                  {zones.map((z) => (
                    <option key={z} value={z}>
                      {z.replaceAll('_', ' ')}
                    </option>
                  ))}
                </Select>
              )}
            </FormField>
          </div>
        </Section>

        <Section title="Opening hours" hint="Several intervals a day are fine (a lunch break). A night shift is split at midnight: 22:00–24:00, then 00:00–06:00 the next day.">
          <div className="flex flex-wrap gap-2">
            <Button onClick={copyMonday} disabled={mondayEmpty} title={mondayEmpty ? 'Give Monday some hours first' : undefined} data-testid="schedule-copy-monday">
              Copy Monday to Tuesday–Friday
            </Button>
          </div>
          <div className="grid gap-3" data-testid="schedule-week">
            {WEEKDAYS.map((dayName, day) => {
              const rows = weekly.fields.map((f, i) => ({ f, i })).filter(({ f }) => f.day === day);
              return (
                <div key={dayName} className="grid gap-2 rounded-lg border border-border p-3 sm:grid-cols-[8rem_minmax(0,1fr)] sm:items-start" data-testid={`schedule-day-${day}`}>
                  <p className="m-0 pt-2 font-semibold">{dayName}</p>
                  <div className="grid gap-2">
                    {rows.length === 0 && <p className="m-0 pt-2 text-muted">Closed</p>}
                    {rows.map(({ f, i }) => (
                      <div key={f.id} className="grid grid-cols-2 items-start gap-x-2 gap-y-1 sm:grid-cols-[11rem_11rem_auto]">
                        <FormField control={control} name={`weekly.${i}.start`} label="Opens">
                          {(p) => <Input {...p} {...register(`weekly.${i}.start`)} inputMode="numeric" placeholder="09:00" title={TIME_HINT} data-testid={`weekly-${i}-start`} />}
                        </FormField>
                        <FormField control={control} name={`weekly.${i}.end`} label="Closes">
                          {(p) => <Input {...p} {...register(`weekly.${i}.end`)} inputMode="numeric" placeholder="17:00" title={TIME_HINT} data-testid={`weekly-${i}-end`} />}
                        </FormField>
                        <Button variant="quiet" size="sm" className="col-span-2 justify-self-start sm:col-span-1 sm:mt-7" onClick={() => weekly.remove(i)} aria-label={`Remove ${dayName} ${f.start}–${f.end}`}>
                          Remove
                        </Button>
                      </div>
                    ))}
                    <div>
                      <Button size="sm" onClick={() => weekly.append({ day, start: '09:00', end: '17:00' })} data-testid={`schedule-add-${day}`}>
                        Add hours on {dayName}
                      </Button>
                    </div>
                  </div>
                </div>
              );
            })}
          </div>
        </Section>

        <Section title="Holidays and closures" hint="A date or a range of dates. Closed all day unless you give special hours, which replace the week's hours on those dates.">
          {holidays.fields.length === 0 && <p className="m-0 text-muted">None yet. Add public holidays or planned closures here.</p>}
          <ol className="m-0 grid list-none gap-3 p-0" data-testid="schedule-holidays">
            {holidays.fields.map((f, i) => (
              <li key={f.id} className="grid gap-3 rounded-lg border border-border p-3">
                <div className="grid gap-3 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1fr)_auto] sm:items-start">
                  <FormField control={control} name={`holidays.${i}.name`} label="Name">
                    {(p) => <Input {...p} {...register(`holidays.${i}.name`)} data-testid={`holiday-${i}-name`} />}
                  </FormField>
                  <FormField control={control} name={`holidays.${i}.from`} label="From">
                    {(p) => <Input {...p} {...register(`holidays.${i}.from`)} type="date" data-testid={`holiday-${i}-from`} />}
                  </FormField>
                  <FormField control={control} name={`holidays.${i}.to`} label="To (included)">
                    {(p) => <Input {...p} {...register(`holidays.${i}.to`)} type="date" data-testid={`holiday-${i}-to`} />}
                  </FormField>
                  <Button variant="quiet" size="sm" className="justify-self-start sm:mt-7" onClick={() => holidays.remove(i)} aria-label={`Remove holiday ${i + 1}`}>
                    Remove
                  </Button>
                </div>
                <HolidayHours control={control} register={register} index={i} />
              </li>
            ))}
          </ol>
          <div>
            <Button onClick={() => holidays.append({ name: '', from: '', to: '', hours: [] })} data-testid="schedule-add-holiday">
              Add a holiday or closure
            </Button>
          </div>
        </Section>
      </fieldset>
      {!readOnly && <SaveBar busy={formState.isSubmitting} dirty={formState.isDirty && !formState.isSubmitSuccessful} backHref="/admin/schedules" label={schedule ? 'Save' : 'Add the schedule'} />}
    </form>
  );
}

/** A holiday's special hours (none: closed all day). */
function HolidayHours({ control, register, index }: { control: Control<Values>; register: UseFormRegister<Values>; index: number }) {
  const hours = useFieldArray({ control, name: `holidays.${index}.hours` });
  const { errors } = useFormState({ control, name: `holidays.${index}.hours` });
  const listError = (get(errors, `holidays.${index}.hours`) as { message?: string } | undefined)?.message;
  return (
    <div className="grid gap-2">
      {hours.fields.length === 0 && <p className="m-0 text-sm text-muted">Closed all day.</p>}
      {hours.fields.map((f, j) => (
        <div key={f.id} className="grid grid-cols-2 items-start gap-x-2 gap-y-1 sm:grid-cols-[11rem_11rem_auto]">
          <FormField control={control} name={`holidays.${index}.hours.${j}.start`} label="Opens">
            {(p) => <Input {...p} {...register(`holidays.${index}.hours.${j}.start`)} inputMode="numeric" placeholder="10:00" title={TIME_HINT} />}
          </FormField>
          <FormField control={control} name={`holidays.${index}.hours.${j}.end`} label="Closes">
            {(p) => <Input {...p} {...register(`holidays.${index}.hours.${j}.end`)} inputMode="numeric" placeholder="14:00" title={TIME_HINT} />}
          </FormField>
          <Button variant="quiet" size="sm" className="col-span-2 justify-self-start sm:col-span-1 sm:mt-7" onClick={() => hours.remove(j)} aria-label={`Remove special hours ${j + 1}`}>
            Remove
          </Button>
        </div>
      ))}
      <FormErrorMessage message={listError} />
      <div>
        <Button size="sm" onClick={() => hours.append({ start: '10:00', end: '14:00' })} data-testid={`holiday-${index}-add-hours`}>
          Add special hours
        </Button>
      </div>
    </div>
  );
}
