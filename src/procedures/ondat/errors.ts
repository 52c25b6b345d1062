// Why the procedure will not plan a downgrade on this cluster, said in full: what was found, where, what to do.
import { BackoutError, PlanBlockedError } from '../../core/errors';
import type { PlanBlocker, PlanDraft } from '../../core/plan';

export class OndatRefusedError extends PlanBlockedError {
  override readonly code = 'ondat-refused';
  constructor(
    readonly context: string,
    readonly reasons: readonly string[],
    /** The plan as it stands, when only problems a parameter resolves refuse it (shown by dry runs). */
    blocked?: { draft: PlanDraft; blockers: readonly PlanBlocker[] },
  ) {
    super(
      `Ondat downgrade 2.7 → 2.6 refused on context ${context}:\n` +
        reasons.map((r) => `  - ${r}`).join('\n') +
        '\nNothing was changed on the cluster.',
      blocked,
    );
  }
}

export class OndatParameterError extends BackoutError {
  readonly code = 'ondat-parameter';
  constructor(
    readonly parameter: string,
    readonly problem: string,
  ) {
    super(`Procedure ondat.downgrade-2.7-to-2.6: parameter "${parameter}" ${problem}`);
  }
}
