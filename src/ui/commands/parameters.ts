// Validates one parameter value as it is typed, with the procedure's own parameter definitions (the same validation
// the CLI applies).
import { parseParameters, type ParameterDefinition } from '../../core/parameters';
import type { Procedure } from '../../core/procedure';

/** The problem with one value, or undefined when it is acceptable. */
export function parameterProblem(procedure: Procedure, def: ParameterDefinition, value: string): string | undefined {
  if (value === '' && (def.required === false || def.default !== undefined)) return undefined;
  try {
    parseParameters(procedure.id, [def], { [def.name]: value });
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
