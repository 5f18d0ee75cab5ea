'use client';
import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { AUDIO_KIND_LABEL, AudioKind, AudioSynthesize, MAX_TTS_CHARS, VOICES, type AudioRow } from '@/server/contracts/admin/audio';
import { api } from '../../_lib/api';
import { Button } from '../../_components/ui/button';
import { FormField } from '../../_components/ui/form-field';
import { Input, Select, Textarea } from '../../_components/ui/inputs';
import { applyServerErrors } from '../_lib/server-errors';
import { Banner } from '../_parts/page-frame';

type Values = z.input<typeof AudioSynthesize>;
const KNOWN = ['name', 'kind', 'text', 'voice', 'speed'] as const;

/** Type a sentence; the server speaks it (espeak-ng) and stores it like an upload. */
export function SpeechPanel({ onAdded }: { onAdded(row: AudioRow): void }) {
  const { register, control, handleSubmit, setError, reset, formState } = useForm<Values>({
    resolver: zodResolver(AudioSynthesize),
    defaultValues: { name: '', kind: 'prompt', text: '', voice: 'en-us', speed: 160 },
  });
  const [banner, setBanner] = useState<string | null>(null);
  const submit = handleSubmit(async (values) => {
    setBanner(null);
    const r = await api<AudioRow>('/api/admin/audio-speech', { method: 'POST', body: values });
    if (r.ok) {
      reset({ ...values, name: '', text: '' });
      onAdded(r.data);
      return;
    }
    setBanner(applyServerErrors(r, setError, KNOWN));
  });
  const busy = formState.isSubmitting;
  return (
    <form onSubmit={submit} noValidate className="grid content-start gap-4 rounded-box border border-border bg-surface p-4" aria-labelledby="speech-title" data-testid="audio-speech">
      <h2 id="speech-title" className="m-0 text-lg">
        Type a sentence
      </h2>
      <p className="m-0 -mt-2 text-sm text-muted">The server speaks it with a synthetic voice; listen to it in the list before you use it.</p>
      {banner && <Banner>{banner}</Banner>}
      <FormField control={control} name="text" label="What to say" hint={`Up to ${MAX_TTS_CHARS} characters.`}>
        {(p) => <Textarea {...p} {...register('text')} rows={3} maxLength={MAX_TTS_CHARS} data-testid="audio-speech-text" />}
      </FormField>
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField control={control} name="name" label="Name">
          {(p) => <Input {...p} {...register('name')} autoComplete="off" data-testid="audio-speech-name" />}
        </FormField>
        <FormField control={control} name="kind" label="Kind">
          {(p) => (
            <Select {...p} {...register('kind')} data-testid="audio-speech-kind">
              {AudioKind.options.map((k) => (
                <option key={k} value={k}>
                  {AUDIO_KIND_LABEL[k]}
                </option>
              ))}
            </Select>
          )}
        </FormField>
        <FormField control={control} name="voice" label="Voice">
          {(p) => (
            <Select {...p} {...register('voice')} data-testid="audio-speech-voice">
              {Object.entries(VOICES).map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </Select>
          )}
        </FormField>
        <FormField control={control} name="speed" label="Speed (words a minute)">
          {(p) => <Input {...p} {...register('speed', { valueAsNumber: true })} type="number" min={80} max={300} step={10} data-testid="audio-speech-speed" />}
        </FormField>
      </div>
      {busy && (
        <div className="grid gap-1" role="status">
          <progress className="w-full" aria-label="Synthesising" data-testid="audio-speech-progress" />
          <span className="text-sm text-muted">Synthesising speech… this takes a few seconds.</span>
        </div>
      )}
      <div>
        <Button type="submit" variant="primary" disabled={busy} title={busy ? 'the sentence is being synthesised' : undefined} data-testid="audio-speech-submit">
          {busy ? 'Synthesising…' : 'Synthesise'}
        </Button>
      </div>
    </form>
  );
}
