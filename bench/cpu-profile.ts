/**
 * Summaries of V8 CPU profiles (`--cpu-prof` files, or the inspector's Profiler.stop result):
 * the top self-time functions, and self time grouped by the package or part of the platform
 * that owns the code (prisma, pg, jssip, acd, cti, pino, next…).
 */
import { readFileSync } from 'node:fs';

export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }>;
  samples: number[];
  startTime: number;
  endTime: number;
}

/** Who owns a function, from its script URL ('' for native code and V8's own entries). */
export function ownerOf(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(program)') return 'v8 (program)';
  if (!url) return 'native';
  const u = url.replace(/^file:\/\//, '');
  // the innermost node_modules names the package (a dependency of a dependency is its own owner)
  const i = u.lastIndexOf('node_modules/');
  const rest = i >= 0 ? u.slice(i + 'node_modules/'.length).split('/') : null;
  const pkg = rest ? (rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]) : undefined;
  if (pkg) {
    if (pkg.startsWith('@prisma/') || pkg === 'prisma' || pkg === '.prisma') return pkg === '@prisma/adapter-pg' ? 'prisma (adapter-pg)' : 'prisma';
    if (pkg === 'pg' || pkg.startsWith('pg-') || pkg === 'postgres-array' || pkg === 'postgres-date' || pkg === 'buffer-writer' || pkg === 'packet-reader') return 'pg';
    if (pkg === 'pino' || pkg === 'sonic-boom' || pkg === 'thread-stream' || pkg === 'fast-redact' || pkg === 'quick-format-unescaped' || pkg === 'safe-stable-stringify' || pkg.startsWith('@pinojs/')) return 'pino';
    if (pkg === 'next' || pkg === 'react' || pkg === 'react-dom' || pkg.startsWith('@next/')) return 'next';
    if (pkg === 'socket.io' || pkg === 'socket.io-parser' || pkg === 'socket.io-adapter' || pkg.startsWith('engine.io')) return 'socket.io';
    if (pkg === 'jssip' || pkg === 'jssip-node-websocket' || pkg === 'sdp-transform') return 'jssip';
    return pkg;
  }
  if (u.includes('/server/db/generated/')) return 'prisma';
  for (const part of ['acd', 'cti', 'http', 'db', 'shared', 'contracts']) if (u.includes(`/server/${part}/`)) return part === 'http' ? 'web (server/http)' : part;
  if (u.includes('/bench/')) return 'bench hook';
  if (u.startsWith('node:')) return 'node';
  return 'other';
}

export interface ProfileSummary {
  lines: string[];
  /** % of busy samples per owner, largest first */
  groups: Array<[string, number]>;
  /** the same with native code and Node's internals charged to the nearest JS caller's owner (who asked for the write, the GC…) */
  charged: Array<[string, number]>;
}

const UNOWNED = new Set(['native', 'node', 'other']);

export function summariseProfile(fileOrProfile: string | CpuProfile, opts: { top?: number; byOwner?: boolean } = {}): ProfileSummary {
  const prof = typeof fileOrProfile === 'string' ? (JSON.parse(readFileSync(fileOrProfile, 'utf8')) as CpuProfile) : fileOrProfile;
  const total = prof.samples.length || 1;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const hits = new Map<number, number>();
  for (const id of prof.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const agg = new Map<string, { h: number; owner: string }>();
  const owners = new Map<string, number>();
  const charged = new Map<string, number>();
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const chargedOwner = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const cf = byId.get(at)!.callFrame;
      const o = ownerOf(cf.url, cf.functionName);
      if (!UNOWNED.has(o) && cf.functionName !== '(root)') return o;
    }
    return ownerOf(byId.get(id)!.callFrame.url, byId.get(id)!.callFrame.functionName);
  };
  let idle = 0;
  for (const [id, h] of hits) {
    const cf = byId.get(id)!.callFrame;
    if (cf.functionName === '(idle)') {
      idle += h;
      continue;
    }
    const where = cf.url ? `${cf.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '').replace(/.*node_modules\//, 'node_modules/')}:${cf.lineNumber + 1}` : '';
    const key = `${cf.functionName || '(anonymous)'}${where ? `  ${where}` : ''}`;
    const owner = ownerOf(cf.url, cf.functionName);
    const a = agg.get(key) ?? { h: 0, owner };
    a.h += h;
    agg.set(key, a);
    owners.set(owner, (owners.get(owner) ?? 0) + h);
    const co = UNOWNED.has(owner) ? chargedOwner(id) : owner;
    charged.set(co, (charged.get(co) ?? 0) + h);
  }
  const busy = total - idle || 1;
  const ms = (prof.endTime - prof.startTime) / 1000;
  const lines = [`profile: ${ms.toFixed(0)} ms, ${total} samples, busy ${((busy / total) * 100).toFixed(0)}% (idle excluded below; % of busy samples)`];
  const top = [...agg.entries()].sort((a, b) => b[1].h - a[1].h).slice(0, opts.top ?? 10);
  for (const [k, a] of top) lines.push(`  ${((a.h / busy) * 100).toFixed(1).padStart(5)}%  ${opts.byOwner ? `[${a.owner}]  ` : ''}${k}`);
  const share = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).map(([o, h]): [string, number] => [o, (h / busy) * 100]);
  return { lines, groups: share(owners), charged: share(charged) };
}
