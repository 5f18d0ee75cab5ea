'use client';
import { useEffect, useState } from 'react';
import { Button } from '../../_components/ui/button';

/**
 * ▶ / ■ for one clip: plays the library's WAV (`/api/admin/audio-files/<name>`) in the browser.
 * One shared audio element for the whole page, so starting one clip stops the one playing.
 */
let shared: HTMLAudioElement | null = null;
let playingName: string | null = null;
const listeners = new Set<() => void>();
const tell = () => listeners.forEach((l) => l());

function player(): HTMLAudioElement {
  if (!shared) {
    shared = new Audio();
    shared.addEventListener('ended', () => ((playingName = null), tell()));
    shared.addEventListener('error', () => ((playingName = null), tell()));
  }
  return shared;
}

export const clipUrl = (name: string) => `/api/admin/audio-files/${encodeURIComponent(name)}`;

export function ClipPlayer({ name, label, disabledReason, testId }: { name: string | null; label?: string; disabledReason?: string; testId?: string }) {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  const playing = name !== null && playingName === name;
  const what = label ?? name ?? 'clip';
  const reason = name ? disabledReason : 'choose a clip first';
  return (
    <Button
      size="sm"
      variant="secondary"
      disabled={!!reason}
      title={reason ?? (playing ? `Stop ${what}` : `Play ${what}`)}
      aria-label={playing ? `Stop ${what}` : `Play ${what}`}
      aria-pressed={playing}
      data-testid={testId ?? `play-${name ?? 'none'}`}
      data-playing={playing ? 'true' : undefined}
      onClick={() => {
        if (!name) return;
        const a = player();
        if (playing) {
          a.pause();
          playingName = null;
        } else {
          a.src = clipUrl(name);
          playingName = name;
          void a.play().catch(() => ((playingName = null), tell()));
        }
        tell();
      }}
    >
      <span aria-hidden="true">{playing ? '■' : '▶'}</span>
      <span className="sr-only sm:not-sr-only">{playing ? 'Stop' : 'Play'}</span>
    </Button>
  );
}
