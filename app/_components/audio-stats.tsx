'use client';
import { useEffect, useState } from 'react';

/** What the call panel shows about the live audio, read from getStats() every 500 ms. */
export interface AudioStats {
  packetsReceived: number;
  packetsLost: number;
  packetsSent: number;
  /** 0..1, the level of the audio we receive */
  audioLevel: number | null;
  jitterMs: number | null;
  iceState: RTCIceConnectionState;
}

export function useAudioStats(pc: RTCPeerConnection | null, everyMs = 500): AudioStats | null {
  const [stats, setStats] = useState<AudioStats | null>(null);
  useEffect(() => {
    if (!pc) {
      setStats(null);
      return;
    }
    let stopped = false;
    const read = async () => {
      try {
        const report = await pc.getStats();
        const s: AudioStats = { packetsReceived: 0, packetsLost: 0, packetsSent: 0, audioLevel: null, jitterMs: null, iceState: pc.iceConnectionState };
        report.forEach((r: Record<string, unknown>) => {
          if (r.kind !== 'audio') return;
          if (r.type === 'inbound-rtp') {
            s.packetsReceived += Number(r.packetsReceived ?? 0);
            s.packetsLost += Number(r.packetsLost ?? 0);
            if (typeof r.audioLevel === 'number') s.audioLevel = r.audioLevel;
            if (typeof r.jitter === 'number') s.jitterMs = Math.round(r.jitter * 1000);
          } else if (r.type === 'outbound-rtp') {
            s.packetsSent += Number(r.packetsSent ?? 0);
          }
        });
        if (!stopped) setStats(s);
      } catch {
        // the connection closed between two reads; the next tick (or the unmount) settles it
      }
    };
    void read();
    const t = setInterval(() => void read(), everyMs);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [pc, everyMs]);
  return stats;
}

/** The peer connection's ICE state in plain words (the raw state stays in data-state). */
const LINK_TEXT: Record<RTCIceConnectionState, string> = {
  new: 'Starting…',
  checking: 'Connecting…',
  connected: 'Good',
  completed: 'Good',
  disconnected: 'Interrupted',
  failed: 'Failed',
  closed: 'Closed',
};

export function AudioStatsPanel({ pc }: { pc: RTCPeerConnection | null }) {
  const s = useAudioStats(pc);
  if (!s) return null;
  const level = s.audioLevel ?? 0;
  // the figures are for support, not for the person on the call: folded away, the summary says enough
  return (
    <details className="stats-details" data-testid="audio-details">
      <summary>
        Call quality: <span data-testid="stats-summary">{LINK_TEXT[s.iceState]}</span>
      </summary>
      <dl className="stats" data-testid="audio-stats" aria-label="Call quality details">
        <div>
          <dt>Received</dt>
          <dd data-testid="stats-packets-received">{s.packetsReceived}</dd>
        </div>
        <div>
          <dt>Sent</dt>
          <dd data-testid="stats-packets-sent">{s.packetsSent}</dd>
        </div>
        <div>
          <dt>Lost</dt>
          <dd data-testid="stats-packets-lost">{s.packetsLost}</dd>
        </div>
        <div>
          <dt>Jitter</dt>
          <dd>{s.jitterMs === null ? '—' : `${s.jitterMs} ms`}</dd>
        </div>
        <div>
          <dt>Connection</dt>
          <dd data-testid="stats-ice" data-state={s.iceState}>
            {LINK_TEXT[s.iceState]}
          </dd>
        </div>
        <div className="stats-level">
          <dt>Level</dt>
          <dd>
            <meter min={0} max={1} value={level} data-testid="stats-audio-level" data-level={level.toFixed(3)} aria-label="Incoming audio level" />
          </dd>
        </div>
      </dl>
    </details>
  );
}
