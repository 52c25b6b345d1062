// Validates one parameter value as it is typed, with the procedure's own parameter definitions (the same validation
// the CLI applies).
import { parseParameters, type ParameterDefinition } from '../../core/parameters';
import type { Procedure } from '../../core/procedure';
import { isRedactable, MIN_SECRET_LENGTH } from '../../core/redaction';

/** The problem with one value, or undefined when it is acceptable. */
export function parameterProblem(procedure: Procedure, def: ParameterDefinition, value: string): string | undefined {
  if (value === '' && (def.required === false || def.default !== undefined)) return undefined;
  if (def.secret === true && !isRedactable(value)) return `A secret must have at least ${MIN_SECRET_LENGTH} characters, or Backout cannot keep it out of logs and reports.`;
  try {
    parseParameters(procedure.id, [def], { [def.name]: value });
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** A typed value as used: trimmed, except a secret, which is used exactly as typed (spaces can be part of a password). */
export function typedValue(def: ParameterDefinition, typed: string): string {
  return def.secret === true ? typed : typed.trim();
}

