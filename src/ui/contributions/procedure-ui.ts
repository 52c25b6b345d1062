// What a procedure adds to the generic UI, so that a new procedure needs no edit in generic code: the choices it can
// offer for its parameters (read from its target). Contributions are looked up by procedure id.
import type { ParameterDefinition } from '../../core/parameters';
import type { Procedure } from '../../core/procedure';
import type { ParameterChoices, ParameterOffer } from '../commands/run-questions';

export interface ProcedureUiContribution {
  procedureId: string;
  offer?(def: ParameterDefinition, values: Readonly<Record<string, string>>): Promise<ParameterOffer | undefined>;
}

/** The choices of all contributions: each procedure's own, none for a procedure without one. */
export function contributedChoices(contributions: readonly ProcedureUiContribution[]): ParameterChoices {
  return {
    async offer(procedure: Procedure, def, values) {
      const c = contributions.find((x) => x.procedureId === procedure.id);
      return c?.offer?.(def, values);
    },
  };
}
