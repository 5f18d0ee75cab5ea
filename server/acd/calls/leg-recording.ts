import path from 'node:path';
import type { MediaRecording } from '../media/media-engine';
import type { CallContext } from './call-context';
import type { Leg } from './leg';

/** A leg's recording: one file for the leg's whole life, whatever it is bridged or mixed with. */
export interface LegRecordingState {
  name: string;
  handle: MediaRecording;
}

/**
 * Starts recording `leg` (the caller's leg of a call: left channel) unless it records already,
 * naming the file after it and the party it is with now (`other`); returns the file's name, or
 * null when recording is not configured or the leg has no media. A leg recorded again after an
 * on-demand stop gets `-<n>` (n ≥ 2). The ACD records the leg it is told to, knowing nothing of
 * operators; the file ends with the leg or with `stopLegRecording`.
 */
export function startLegRecording(ctx: CallContext, leg: Leg, other: Leg): string | null {
  if (leg.recording) return leg.recording.name;
  const dir = ctx.cfg.recordingsDir;
  if (!dir || !leg.endpoint || leg.ended) return null;
  leg.recordings++;
  const name = `${leg.id}-${other.id}${leg.recordings === 1 ? '' : `-${leg.recordings}`}.wav`;
  leg.recording = { name, handle: ctx.media.record(leg.endpoint, path.join(dir, name)) };
  leg.log.info({ recording: name, with: other.id }, 'recording the leg');
  return name;
}

/** Stops the leg's recording; resolves with the file's name once it is finalised (null: none ran). */
export async function stopLegRecording(leg: Leg): Promise<string | null> {
  const rec = leg.recording;
  if (!rec) return null;
  leg.recording = null;
  await rec.handle.stop();
  leg.log.info({ recording: rec.name }, 'recording finalised');
  return rec.name;
}

/**
 * The leg a recording of `leg`'s call follows, and the party it is with: among `leg` and the legs
 * in its call — its bridge peer, its mix, or while on hold the leg it was held from / held by —
 * the one already recording, else the caller-kind one (the device's control dialog asks as often
 * as the caller's), else `leg`. Null when it is in no call.
 */
export function recordedLegOf(ctx: CallContext, leg: Leg): { recorded: Leg; other: Leg } | null {
  if (leg.ended) return null;
  const live = [...ctx.table.legs()].filter((l) => l !== leg && !l.ended);
  const mixId = leg.mix?.mixId;
  const others = leg.bridge
    ? [leg.bridge.peer]
    : mixId
      ? live.filter((l) => l.mix?.mixId === mixId)
      : live.filter((l) => l === leg.heldWith || l.heldWith === leg);
  if (others.length === 0) return null;
  const all = [leg, ...others];
  const recorded = all.find((l) => l.recording) ?? all.find((l) => l.kind === 'caller') ?? leg;
  return { recorded, other: all.find((l) => l !== recorded) ?? leg };
}
