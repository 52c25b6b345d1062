// Why the procedure will not plan a downgrade on this cluster, said in full: what was found, where, what to do.
import { BackoutError } from '../../core/errors';

export class OndatRefusedError extends BackoutError {
  readonly code = 'ondat-refused';
  constructor(
    readonly context: string,
    readonly reasons: readonly string[],
  ) {
    super(
      `Ondat downgrade 2.7 → 2.6 refused on context ${context}:\n` +
        reasons.map((r) => `  - ${r}`).join('\n') +
        '\nNothing was changed on the cluster.',
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
