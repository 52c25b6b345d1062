// Typed errors of the engine. Each message says what happened, to what, and what to do next; the CLI prints the
// message as is and the extension shows it in a notification.

export abstract class BackoutError extends Error {
  /** Stable machine-readable code, e.g. for CLI exit handling and telemetry-free diagnostics. */
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidParameterError extends BackoutError {
  readonly code = 'invalid-parameter';
  constructor(
    readonly procedureId: string,
    readonly parameter: string,
    readonly problem: string,
    readonly accepted: string,
  ) {
    super(`Procedure ${procedureId}: parameter "${parameter}" ${problem}. Accepted: ${accepted}.`);
  }
}

export class UnknownProcedureError extends BackoutError {
  readonly code = 'unknown-procedure';
  constructor(
    readonly procedureId: string,
    readonly known: readonly string[],
  ) {
    super(
      `No procedure "${procedureId}" is registered. Known: ${known.length > 0 ? known.join(', ') : '(none)'}. ` +
        'Run `backout procedures` to list them, or load a procedure module with --procedures.',
    );
  }
}

export class DuplicateProcedureError extends BackoutError {
  readonly code = 'duplicate-procedure';
  constructor(readonly procedureId: string) {
    super(`Procedure "${procedureId}" is registered twice. Give each procedure a unique id.`);
  }
}

export class InvalidPlanError extends BackoutError {
  readonly code = 'invalid-plan';
  constructor(
    readonly procedureId: string,
    readonly problem: string,
  ) {
    super(`Procedure ${procedureId} produced an invalid plan: ${problem}. This is a bug in the procedure.`);
  }
}

export class IllegalTransitionError extends BackoutError {
  readonly code = 'illegal-transition';
  constructor(
    readonly unit: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`Step ${unit} cannot go from ${from} to ${to}.`);
  }
}

export class JournalCorruptError extends BackoutError {
  readonly code = 'journal-corrupt';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(
      `Journal ${file}, line ${line}: ${problem}. The run cannot be resumed safely from this journal; ` +
        'inspect the file (every line is one JSON event) and the step logs before doing anything else on the target.',
    );
  }
}

export class RunNotFoundError extends BackoutError {
  readonly code = 'run-not-found';
  constructor(
    readonly runId: string,
    readonly root: string,
  ) {
    super(`No run "${runId}" under ${root}. Run \`backout runs\` to list the runs in this folder.`);
  }
}

export class RunAlreadyFinishedError extends BackoutError {
  readonly code = 'run-finished';
  constructor(
    readonly runId: string,
    readonly outcome: string,
  ) {
    super(`Run ${runId} already finished (${outcome}); there is nothing to resume. Start a new run instead.`);
  }
}

export class TargetLockedError extends BackoutError {
  readonly code = 'target-locked';
  constructor(
    readonly target: string,
    readonly holder: { runId: string; pid: number; hostname: string; startedAt: string; user?: string },
    readonly lockFile: string,
  ) {
    super(
      `Target ${target} is locked by run ${holder.runId} (pid ${holder.pid} on ${holder.hostname}` +
        `${holder.user ? `, user ${holder.user}` : ''}, since ${holder.startedAt}). ` +
        `Wait for that run to finish, or stop it. If it is certainly gone, delete ${lockFile}.`,
    );
  }
}

/** A resume of a run that a live process is running already: it is followed (attach), not run a second time. */
export class RunAlreadyRunningError extends BackoutError {
  readonly code = 'run-already-running';
  constructor(
    readonly runId: string,
    readonly holder: { pid: number; hostname: string; startedAt: string; user?: string },
  ) {
    super(
      `Run ${runId} is already running (pid ${holder.pid} on ${holder.hostname}${holder.user ? `, user ${holder.user}` : ''}, since ${holder.startedAt}); ` +
        `it is not started a second time. Follow it with \`backout attach ${runId}\`, or stop it with \`backout cancel ${runId}\`.`,
    );
  }
}

export class UnreadableLockError extends BackoutError {
  readonly code = 'lock-unreadable';
  constructor(
    readonly target: string,
    readonly lockFile: string,
    readonly problem: string,
  ) {
    super(`Target ${target}: lock file ${lockFile} cannot be read (${problem}). If no run is active on it, delete the file.`);
  }
}

export class NoExecutorError extends BackoutError {
  readonly code = 'no-executor';
  constructor(
    readonly kind: string,
    readonly step: string,
  ) {
    super(
      `Step ${step} needs a "${kind}" executor, but none is registered in this host. ` +
        'Run it from a host that supports this step kind (the VS Code extension supports ssh and kube).',
    );
  }
}

export class ConfirmationRequiredError extends BackoutError {
  readonly code = 'confirmation-required';
  constructor(
    readonly target: string,
    readonly step: string,
    readonly how: string,
  ) {
    super(`${step} (target ${target}) needs a confirmation, and none can be given here: ${how}`);
  }
}

export class MissingSecretError extends BackoutError {
  readonly code = 'missing-secret';
  constructor(readonly secret: string) {
    super(`The plan needs the secret "${secret}" and none was given. Provide it when asked, or pass it as a parameter.`);
  }
}

/**
 * A procedure's refusal of a run whose plan could still be drawn: the plan, and the blocking problems with what resolves
 * them. A dry run shows the plan with the problems on top; starting it is refused with this error.
 */
export class PlanBlockedError extends BackoutError {
  readonly code: string = 'plan-blocked';
  constructor(
    message: string,
    readonly blocked?: { draft: import('./plan').PlanDraft; blockers: ReadonlyArray<import('./plan').PlanBlocker> },
  ) {
    super(message);
  }
}
