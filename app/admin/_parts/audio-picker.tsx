'use client';
import Link from 'next/link';
import { useController, type Control, type FieldPath, type FieldValues } from 'react-hook-form';
import { AUDIO_KIND_LABEL, formatDuration, type AudioOption } from '@/server/contracts/admin/audio';
import type { ControlProps } from '../../_components/ui/form-field';
import { Select } from '../../_components/ui/inputs';
import { useApi } from '../_lib/use-api';
import { ClipPlayer } from './clip-player';

/**
 * Picks a clip of the audio library for a form field (a queue's or a number's hold audio, a
 * message), with a ▶ preview of the chosen clip before saving. `noneLabel` allows "no clip"
 * (the field is then null); `builtInLabel` names what `default` means there (a number's `default`
 * is its queue's hold audio). A name the library does not know (a file in the ACD's audio
 * directory, set before the library existed) stays selectable so a save does not change it.
 */
export function AudioPicker<T extends FieldValues, O extends FieldValues = T>({
  control,
  name,
  noneLabel,
  builtInLabel = 'default — built-in music',
  disabled,
  testId,
  ...aria
}: ControlProps & { control: Control<T, unknown, O>; name: FieldPath<T>; noneLabel?: string; builtInLabel?: string; disabled?: boolean; testId: string }) {
  const { field } = useController({ control, name });
  const options = useApi<AudioOption[]>('/api/admin/audio-options');
  const value = (field.value as string | null | undefined) ?? null;
  const list = options.data ?? [];
  const loading = options.data === null;
  const known = loading || value === null || list.some((o) => o.name === value);
  const groups: Array<[string, AudioOption[]]> = [
    [AUDIO_KIND_LABEL.music, list.filter((o) => o.kind === 'music')],
    [`${AUDIO_KIND_LABEL.prompt}s`, list.filter((o) => o.kind === 'prompt')],
  ];
  return (
    <div className="grid gap-1">
      <div className="flex items-center gap-2">
        <Select
          {...aria}
          ref={field.ref}
          name={field.name}
          value={value ?? ''}
          disabled={disabled}
          onBlur={field.onBlur}
          onChange={(e) => field.onChange(e.target.value === '' ? null : e.target.value)}
          data-testid={testId}
          className="flex-1"
        >
          {noneLabel !== undefined && <option value="">{noneLabel}</option>}
          {!known && value && <option value={value}>{value} (not in the audio library)</option>}
          {loading && value && <option value={value}>{value}</option>}
          {groups.map(([label, opts]) =>
            opts.length ? (
              <optgroup key={label} label={label}>
                {opts.map((o) => (
                  <option key={o.name} value={o.name}>
                    {o.builtIn ? builtInLabel : o.name} ({formatDuration(o.durationMs)})
                  </option>
                ))}
              </optgroup>
            ) : null,
          )}
        </Select>
        <ClipPlayer name={value} testId={`${testId}-play`} {...(value && !known ? { disabledReason: 'this clip is not in the audio library, so it cannot be played here' } : {})} />
      </div>
      {options.error && <p className="m-0 text-sm text-bad">The audio library could not be loaded: {options.error}</p>}
      {options.data && options.data.length === 1 && (
        <p className="m-0 text-sm text-muted">
          Only the built-in music so far: <Link href="/admin/audio">add clips in the audio library</Link>.
        </p>
      )}
    </div>
  );
}
