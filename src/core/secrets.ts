// Secrets stay out of plans: actions reference them as ${secret:NAME} and the runner substitutes the values only in
// the copy it hands to the executor, so plan.json, dry runs and reports show the placeholder.
import { MissingSecretError } from './errors';
import { SECRET_PLACEHOLDER, type CheckAction } from './plan';
import type { JsonObject, JsonValue } from './json';

function fill(text: string, secrets: ReadonlyMap<string, string>): string {
  return text.replace(SECRET_PLACEHOLDER, (_m, name: string) => {
    const v = secrets.get(name);
    if (v === undefined) throw new MissingSecretError(name);
    return v;
  });
}

function fillJson(value: JsonValue, secrets: ReadonlyMap<string, string>): JsonValue {
  if (typeof value === 'string') return fill(value, secrets);
  if (Array.isArray(value)) return value.map((v) => fillJson(v, secrets));
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = fillJson(v, secrets);
    return out;
  }
  return value;
}

export function withSecrets<A extends CheckAction>(action: A, secrets: ReadonlyMap<string, string>): A {
  return fillJson(action as unknown as JsonObject, secrets) as unknown as A;
}
