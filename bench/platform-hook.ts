/**
 * Preloaded into the platform under benchmark (`node --import tsx --import bench/platform-hook.ts
 * server/main.ts`): answers the bench over IPC with this process's CPU and memory, the INVITE
 * latency samples (bench/invite-latency-hook.ts) and CPU profiles of chosen windows (the
 * inspector's Profiler, so a profile covers one step, not the whole run). The platform itself
 * is untouched: this file only observes.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { installInviteLatencyHook } from './invite-latency-hook';

export type HookRequest = { op: 'stats' } | { op: 'latency'; on: boolean } | { op: 'profile'; on: boolean; file?: string };
export interface PlatformStats {
  cpuUserUs: number;
  cpuSystemUs: number;
  rss: number;
  heapUsed: number;
}
export type HookReply = { op: 'stats'; stats: PlatformStats } | { op: 'latency'; samplesMs: number[]; unmatched: number } | { op: 'profile'; file: string | null };

const latency = installInviteLatencyHook();
let session: Session | null = null;

const reply = (m: HookReply) => process.send?.(m);

process.on('message', (req: HookRequest) => {
  void (async () => {
    if (req.op === 'stats') {
      const cpu = process.cpuUsage();
      const mem = process.memoryUsage();
      reply({ op: 'stats', stats: { cpuUserUs: cpu.user, cpuSystemUs: cpu.system, rss: mem.rss, heapUsed: mem.heapUsed } });
    } else if (req.op === 'latency') {
      if (req.on) latency.start();
      else reply({ op: 'latency', ...latency.stop() });
    } else if (req.on) {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      reply({ op: 'profile', file: null });
    } else {
      if (!session) return reply({ op: 'profile', file: null });
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      session = null;
      if (req.file) writeFileSync(req.file, JSON.stringify(profile));
      reply({ op: 'profile', file: req.file ?? null });
    }
  })();
});
// the bench went away: stop the way an operator would (SIGTERM runs the platform's shutdown)
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
