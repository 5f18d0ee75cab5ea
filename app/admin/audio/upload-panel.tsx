'use client';
import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { AUDIO_KIND_LABEL, AudioKind, AudioUploadFields, MAX_DURATION_SEC, MAX_UPLOAD_BYTES, type AudioRow } from '@/server/contracts/admin/audio';
import { Button } from '../../_components/ui/button';
import { FormErrorMessage } from '../../_components/ui/form-error-message';
import { FormField } from '../../_components/ui/form-field';
import { Input, Select } from '../../_components/ui/inputs';
import { applyServerErrors } from '../_lib/server-errors';
import { uploadWithProgress } from '../_lib/upload';
import { Banner } from '../_parts/page-frame';
import { nameFromFile } from './clip-name';

type Values = z.input<typeof AudioUploadFields>;
const KNOWN = ['name', 'kind', 'file'] as const;
const MB = MAX_UPLOAD_BYTES / 1024 / 1024;

/** Upload a WAV or MP3: checked here for size first, converted to 8 kHz mono by the server. */
export function UploadPanel({ onAdded }: { onAdded(row: AudioRow): void }) {
  const { register, control, handleSubmit, setError, setValue, getValues, reset, formState } = useForm<Values>({ resolver: zodResolver(AudioUploadFields), defaultValues: { name: '', kind: 'music' } });
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [banner, setBanner] = useState<string | null>(null);
  const [inputKey, setInputKey] = useState(0);
  // the name last suggested from a file: a new file replaces it, a name the admin typed stays
  const [suggested, setSuggested] = useState('');

  const submit = handleSubmit(async (values) => {
    setBanner(null);
    if (!file) return setFileError('choose a WAV or MP3 file');
    if (file.size > MAX_UPLOAD_BYTES) return setFileError(`the file is larger than ${MB} MB`);
    const form = new FormData();
    form.append('name', values.name);
    form.append('kind', values.kind);
    form.append('file', file, file.name);
    setProgress(0);
    const r = await uploadWithProgress<AudioRow>('/api/admin/audio', form, setProgress);
    setProgress(null);
    if (r.ok) {
      reset({ name: '', kind: values.kind });
      setFile(null);
      setInputKey((k) => k + 1);
      onAdded(r.data);
      return;
    }
    if (r.error.fields?.file) setFileError(r.error.fields.file);
    const rest = { ...r, error: { ...r.error, fields: Object.fromEntries(Object.entries(r.error.fields ?? {}).filter(([k]) => k !== 'file')) } };
    const b = applyServerErrors(rest, setError, KNOWN);
    if (!r.error.fields?.file) setBanner(b);
  });

  const busy = progress !== null;
  return (
    <form onSubmit={submit} noValidate className="grid content-start gap-4 rounded-box border border-border bg-surface p-4" aria-labelledby="upload-title" data-testid="audio-upload">
      <h2 id="upload-title" className="m-0 text-lg">
        Upload a file
      </h2>
      <p className="m-0 -mt-2 text-sm text-muted">
        WAV or MP3, up to {MB} MB and {MAX_DURATION_SEC / 60} minutes. It is converted to telephone quality (8 kHz mono).
      </p>
      {banner && <Banner>{banner}</Banner>}
      <div className="grid gap-1">
        <label htmlFor="audio-file" className="font-semibold">
          File
        </label>
        <input
          key={inputKey}
          id="audio-file"
          type="file"
          accept=".wav,.mp3,audio/wav,audio/x-wav,audio/mpeg"
          aria-invalid={fileError ? true : undefined}
          aria-describedby={fileError ? 'audio-file-error' : undefined}
          className="min-h-11 w-full min-w-0 rounded-lg border border-[#aab6c3] bg-surface px-3 py-2 aria-[invalid=true]:border-bad"
          data-testid="audio-file"
          onChange={(e) => {
            const f = e.target.files?.[0] ?? null;
            setFile(f);
            setFileError(f && f.size > MAX_UPLOAD_BYTES ? `the file is larger than ${MB} MB` : null);
            const current = getValues('name');
            if (f && (!current || current === suggested)) {
              setSuggested(nameFromFile(f.name));
              setValue('name', nameFromFile(f.name), { shouldValidate: true });
            }
          }}
        />
        <FormErrorMessage id="audio-file-error" message={fileError ?? undefined} testId="field-error-file" />
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField control={control} name="name" label="Name" hint="What queues and numbers pick it by.">
          {(p) => <Input {...p} {...register('name')} autoComplete="off" data-testid="audio-upload-name" />}
        </FormField>
        <FormField control={control} name="kind" label="Kind">
          {(p) => (
            <Select {...p} {...register('kind')} data-testid="audio-upload-kind">
              {AudioKind.options.map((k) => (
                <option key={k} value={k}>
                  {AUDIO_KIND_LABEL[k]}
                </option>
              ))}
            </Select>
          )}
        </FormField>
      </div>
      {busy && (
        <div className="grid gap-1" role="status">
          <progress max={1} value={progress} className="w-full" aria-label="Upload progress" data-testid="audio-upload-progress" />
          <span className="text-sm text-muted">{progress < 1 ? `Uploading… ${Math.round(progress * 100)} %` : 'Converting to telephone quality…'}</span>
        </div>
      )}
      <div>
        <Button type="submit" variant="primary" disabled={busy || formState.isSubmitting} title={busy ? 'an upload is in progress' : undefined} data-testid="audio-upload-submit">
          {busy ? 'Uploading…' : 'Upload'}
        </Button>
      </div>
    </form>
  );
}
