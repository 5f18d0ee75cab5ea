/**
 * Consoles for the fan-out step of bench/full-flow.ts, in a child process: operator consoles
 * (socket.io, session cookies) that change state on request, and supervisor consoles
 * subscribed to the live view. Delivery time of a change = receipt here − the `since` the CTI
 * stamped on the agent's view when the state changed (same machine clock, ms resolution).
 */
import { ask, connectConsole, type ConsoleSocket } from './console-client';
import type { AgentView } from '../server/contracts/socket-events';

type TargetState = 'ready' | 'not_ready';
export type FanoutRequest =
  | { op: 'connect'; base: string; operators: string[]; supervisors: string[]; concurrency: number }
  | { op: 'device' }
  /** start counting deliveries of `to` (both children are armed before either fires, or one child's first changes reach the other's supervisors uncounted) */
  | { op: 'arm'; to: TargetState }
  | { op: 'round'; spreadMs: number; expectPerSupervisor: number; timeoutMs: number }
  | { op: 'stop' };
export type FanoutReply =
  | { op: 'connected'; operators: number; supervisors: number; failed: number; ms: number }
  | { op: 'device'; ok: number; failed: number }
  | { op: 'armed' }
  | { op: 'round'; own: number[]; supervision: number[]; acks: number[]; ackFailed: number; ownMissing: number; supervisionMissing: number };

const operators: Array<{ socket: ConsoleSocket; id: string | null }> = [];
const supervisors: ConsoleSocket[] = [];
let round: { to: TargetState; own: number[]; sup: number[]; supSeen: Map<ConsoleSocket, number> } | null = null;

const send = (m: FanoutReply) => process.send?.(m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isFanout = (v: AgentView) => v.operatorId.startsWith('fan-');

async function connectAll(req: Extract<FanoutRequest, { op: 'connect' }>): Promise<FanoutReply> {
  const t0 = Date.now();
  let failed = 0;
  const one = async (cookie: string, supervisor: boolean) => {
    try {
      const s = await connectConsole(req.base, cookie);
      if (supervisor) {
        await ask(s, 'admin:subscribe', {});
        s.on('admin:agents', (views) => {
          const now = Date.now();
          for (const v of views) {
            if (!round || !isFanout(v) || v.state !== round.to) continue;
            round.sup.push(now - v.since);
            round.supSeen.set(s, (round.supSeen.get(s) ?? 0) + 1);
          }
        });
        supervisors.push(s);
      } else {
        const entry = { socket: s, id: null as string | null };
        s.on('agent:state', (v) => {
          entry.id = v.operatorId;
          if (round && v.state === round.to) round.own.push(Date.now() - v.since);
        });
        operators.push(entry);
      }
    } catch {
      failed++;
    }
  };
  const all = [...req.supervisors.map((c) => [c, true] as const), ...req.operators.map((c) => [c, false] as const)];
  for (let i = 0; i < all.length; i += req.concurrency) await Promise.all(all.slice(i, i + req.concurrency).map(([c, sup]) => one(c, sup)));
  return { op: 'connected', operators: operators.length, supervisors: supervisors.length, failed, ms: Date.now() - t0 };
}

/** Every operator console takes a browser device (ready needs one). */
async function device(): Promise<FanoutReply> {
  let ok = 0;
  let failed = 0;
  for (let i = 0; i < operators.length; i += 50) {
    await Promise.all(
      operators.slice(i, i + 50).map(async (o) => {
        try {
          await ask(o.socket, 'agent:device', { kind: 'browser' });
          ok++;
        } catch {
          failed++;
        }
      }),
    );
  }
  return { op: 'device', ok, failed };
}

async function runRound(req: Extract<FanoutRequest, { op: 'round' }>): Promise<FanoutReply> {
  const r = round;
  if (!r) throw new Error('round before arm');
  const to = r.to;
  const acks: number[] = [];
  let ackFailed = 0;
  const gap = operators.length > 1 ? req.spreadMs / operators.length : 0;
  const t0 = Date.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < operators.length; i++) {
    const due = t0 + i * gap;
    if (due > Date.now() + 1) await sleep(due - Date.now());
    const s = operators[i]!.socket;
    const sent = Date.now();
    const p = to === 'ready' ? ask(s, 'agent:ready', {}) : ask(s, 'agent:not-ready', { reason: 'bench' });
    pending.push(p.then(() => void acks.push(Date.now() - sent), () => void ackFailed++));
  }
  await Promise.all(pending);
  const end = Date.now() + req.timeoutMs;
  const done = () => r.own.length >= operators.length && supervisors.every((s) => (r.supSeen.get(s) ?? 0) >= req.expectPerSupervisor);
  while (!done() && Date.now() < end) await sleep(50);
  round = null;
  const supMissing = supervisors.reduce((n, s) => n + Math.max(0, req.expectPerSupervisor - (r.supSeen.get(s) ?? 0)), 0);
  return { op: 'round', own: r.own, supervision: r.sup, acks, ackFailed, ownMissing: Math.max(0, operators.length - r.own.length), supervisionMissing: supMissing };
}

process.on('message', (req: FanoutRequest) => {
  if (req.op === 'connect') void connectAll(req).then(send);
  else if (req.op === 'device') void device().then(send);
  else if (req.op === 'arm') {
    round = { to: req.to, own: [], sup: [], supSeen: new Map() };
    send({ op: 'armed' });
  } else if (req.op === 'round') void runRound(req).then(send);
  else {
    for (const o of operators) o.socket.close();
    for (const s of supervisors) s.close();
    setTimeout(() => process.exit(0), 200);
  }
});
process.on('disconnect', () => process.exit(0));
