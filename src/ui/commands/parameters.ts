// Asks for a procedure's parameters one by one, validating each value as it is typed with the procedure's own
// parameter definitions (the same validation the CLI applies).
import { describeAccepted, parseParameters, type ParameterDefinition } from '../../core/parameters';
import type { Procedure } from '../../core/procedure';
import { isRedactable, MIN_SECRET_LENGTH } from '../../core/redaction';
import type { FlowStep } from './multi-step';

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

/** One flow step per parameter (except those already given, e.g. the target). */
export function parameterSteps(procedure: Procedure, values: Record<string, string>, skip: ReadonlySet<string>): FlowStep[] {
  return procedure.parameters
    .filter((def) => !skip.has(def.name))
    .map((def) => ({
      title: def.name,
      async run(ui) {
        const current = values[def.name] ?? (def.default !== undefined ? String(def.default) : undefined);
        if (def.type === 'enum' || def.type === 'boolean') {
          const options = def.type === 'enum' ? def.values : ['true', 'false'];
          const chosen = await ui.pick({
            placeholder: `${def.name}: ${def.description}`,
            items: options.map((o) => ({ label: o, value: o, ...(String(def.default) === o ? { description: 'default' } : {}) })),
            ...(current !== undefined ? { activeValue: current } : {}),
          });
          values[def.name] = chosen;
          return;
        }
        const optional = def.required === false || def.default !== undefined;
        const typed = await ui.input({
          prompt: `${def.description} (${describeAccepted(def)}${optional ? '; leave empty for the default' : ''})`,
          ...(current !== undefined && !def.secret ? { value: current } : {}),
          placeholder: def.name,
          password: def.secret === true,
          validate: (v) => parameterProblem(procedure, def, typedValue(def, v)),
        });
        const value = typedValue(def, typed);
        if (value === '') delete values[def.name];
        else values[def.name] = value;
      },
    }));
}
