// Reading Kubernetes objects that arrive as JSON text, without trusting their shape: every accessor checks types.
import type { JsonObject, JsonValue } from '../../core/json';

export function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at a path of keys, or undefined when any step is missing or of the wrong type. */
export function at(obj: JsonValue | undefined, ...path: Array<string | number>): JsonValue | undefined {
  let cur: JsonValue | undefined = obj;
  for (const key of path) {
    if (typeof key === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[key];
    } else {
      if (!isObject(cur)) return undefined;
      cur = cur[key];
    }
  }
  return cur;
}

export function str(obj: JsonValue | undefined, ...path: Array<string | number>): string | undefined {
  const v = at(obj, ...path);
  return typeof v === 'string' ? v : undefined;
}

export function num(obj: JsonValue | undefined, ...path: Array<string | number>): number | undefined {
  const v = at(obj, ...path);
  return typeof v === 'number' ? v : undefined;
}

export function arr(obj: JsonValue | undefined, ...path: Array<string | number>): JsonValue[] {
  const v = at(obj, ...path);
  return Array.isArray(v) ? v : [];
}

export function stringMap(obj: JsonValue | undefined, ...path: Array<string | number>): Record<string, string> {
  const v = at(obj, ...path);
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** Parses one line of a list operation's output (one object per line). */
export function parseObjectLine(line: string): JsonObject | undefined {
  const t = line.trim();
  if (t === '' || t[0] !== '{') return undefined;
  try {
    const v = JSON.parse(t) as JsonValue;
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** `a=b,c=d`, as label selectors are written. */
export function selectorString(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function matchesLabels(labels: Readonly<Record<string, string>>, selector: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
