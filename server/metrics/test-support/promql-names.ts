/**
 * The metric names a PromQL expression (or a Grafana `label_values(metric, label)` query) reads,
 * for the dashboard test: strings, label matchers `{…}`, ranges `[…]` and the label lists of
 * `by`/`without`/`on`/`ignoring`/`group_left`/`group_right` are removed; what is left that is an
 * identifier, not a function call (followed by `(`), not a keyword and not a number is a name.
 */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless', 'atan2', 'inf', 'nan']);

export function metricNames(expr: string): string[] {
  let s = expr.replace(/\$__[a-z_]+/g, '5m').replace(/\$[a-zA-Z_]+/g, 'x');
  s = s.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  s = s.replace(/\{[^}]*\}/g, ' ').replace(/\[[^\]]*\]/g, ' ');
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  // label_values(metric, label): the second argument is a label
  s = s.replace(/\blabel_values\s*\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)/g, ' $1 ');
  const names = new Set<string>();
  for (const m of s.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, id, call] = m;
    const before = s[m.index - 1] ?? '';
    if (call || KEYWORDS.has(id!) || /[0-9.]/.test(before)) continue;
    names.add(id!);
  }
  return [...names];
}
