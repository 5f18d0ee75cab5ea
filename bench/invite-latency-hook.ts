/**
 * Bench-only latency hook for a process that runs the ACD: while on, every UDP datagram in or
 * out that starts with "INVITE " is timestamped; a caller's INVITE in and the device INVITE out
 * are paired by the caller's From user (the device INVITE carries the caller's From URI).
 * It patches `dgram.Socket` for the whole process, so install it before the ACD binds.
 */
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';

export interface InviteLatencyHook {
  start(): void;
  stop(): { samplesMs: number[]; unmatched: number };
}

const FROM_USER = /\r\n(?:From|f)\s*:[^\r]*?sips?:([^@;>\s]+)@/i;

function inviteKey(buf: Buffer | string): { key: string; device: boolean } | null {
  const text = typeof buf === 'string' ? buf : buf.toString('latin1', 0, Math.min(buf.length, 2048));
  if (!text.startsWith('INVITE ')) return null;
  const m = FROM_USER.exec(text);
  if (!m) return null;
  return { key: m[1]!, device: text.startsWith('INVITE sip:dev-') };
}

export function installInviteLatencyHook(): InviteLatencyHook {
  let on = false;
  const callerIn = new Map<string, number>();
  const samples: number[] = [];

  const origEmit = dgram.Socket.prototype.emit;
  dgram.Socket.prototype.emit = function (this: dgram.Socket, event: string | symbol, ...args: unknown[]): boolean {
    if (on && event === 'message') {
      const buf = args[0] as Buffer;
      if (buf[0] === 0x49) {
        const k = inviteKey(buf);
        if (k && !k.device && !callerIn.has(k.key)) callerIn.set(k.key, performance.now());
      }
    }
    return (origEmit as (...a: unknown[]) => boolean).call(this, event, ...args);
  } as typeof dgram.Socket.prototype.emit;

  const origSend = dgram.Socket.prototype.send;
  dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]): void {
    if (on) {
      const msg = args[0];
      if ((Buffer.isBuffer(msg) && msg[0] === 0x49) || (typeof msg === 'string' && msg.startsWith('I'))) {
        const k = inviteKey(msg as Buffer | string);
        const t0 = k?.device ? callerIn.get(k.key) : undefined;
        if (k && t0 !== undefined) {
          samples.push(performance.now() - t0);
          callerIn.delete(k.key);
        }
      }
    }
    return (origSend as (...a: unknown[]) => void).apply(this, args);
  } as typeof dgram.Socket.prototype.send;

  return {
    start() {
      callerIn.clear();
      samples.length = 0;
      on = true;
    },
    stop() {
      on = false;
      return { samplesMs: [...samples], unmatched: callerIn.size };
    },
  };
}
