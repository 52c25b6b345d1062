// Secrets stay out of plans: actions reference them as ${secret:NAME} and the runner substitutes the values only in
// the copy it hands to the executor, so plan.json, dry runs and reports show the placeholder. Only a procedure may
// write a reference: parameter values and facts read from the target that contain one are refused before planning,
// or a parameter set to ${secret:adminPassword} would receive the password.
import { BackoutError, MissingSecretError } from './errors';
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

/** The text that starts a secret reference; only a procedure may write it into an action. */
export const SECRET_REFERENCE = '${secret:';

export class SecretReferenceInFactsError extends BackoutError {
  readonly code = 'secret-reference-in-facts';
  constructor(
    readonly procedureId: string,
    readonly where: string,
  ) {
    super(
      `Procedure ${procedureId}: a value read from the target (facts ${where}) contains "${SECRET_REFERENCE}". ` +
        'A secret would be filled into any command built from it, so nothing was planned. Check what the target reports there.',
    );
  }
}

/** The path of the first string in `value` holding a secret reference, or undefined. */
export function secretReferenceIn(value: unknown, where = ''): string | undefined {
  if (typeof value === 'string') return value.includes(SECRET_REFERENCE) ? where || '(the value)' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  const entries: Array<[string, unknown]> =
    value instanceof Map ? [...value.entries()].map(([k, v]) => [String(k), v]) : Array.isArray(value) || value instanceof Set ? [...value].map((v, i) => [String(i), v]) : Object.entries(value);
  for (const [k, v] of entries) {
    const inKey = k.includes(SECRET_REFERENCE) ? `${where}.${k}` : undefined;
    const found = inKey ?? secretReferenceIn(v, Array.isArray(value) ? `${where}[${k}]` : `${where}.${k}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
