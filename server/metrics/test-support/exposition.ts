/**
 * A reader of the Prometheus text exposition format (version 0.0.4), for tests: every sample
 * line `name{label="value",…} number` becomes one entry keyed by the name and its labels in
 * sorted order, so a test asks for a series the way a PromQL selector would name it.
 */
export type Samples = Map<string, number>;

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Samples {
  const out: Samples = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_x, c: string) => (c === 'n' ? '\n' : c));
    const v = sampleValue(m[3]!);
    if (v === undefined) throw new Error(`not a sample value: ${line}`);
    out.set(key(m[1]!, labels), v);
  }
  return out;
}

/**
 * Prometheus reads a value with Go's ParseFloat, which takes NaN and Inf in any case; prom-client
 * writes NaN as `Nan` (its event-loop lag mean before the first sample), so the reader must too.
 */
function sampleValue(text: string): number | undefined {
  if (/^nan$/i.test(text)) return NaN;
  if (/^[+]?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  const v = Number(text);
  return Number.isNaN(v) ? undefined : v;
}

export function key(name: string, labels: Record<string, string> = {}): string {
  const ls = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`);
  return ls.length ? `${name}{${ls.join(',')}}` : name;
}

/** A series' value; absent counts as 0 (a counter not yet moved is not exposed). */
export function value(s: Samples, name: string, labels: Record<string, string> = {}): number {
  return s.get(key(name, labels)) ?? 0;
}
