// Starting, resuming and reading runs: the same calls for the CLI and the extension. Preparing a plan validates the
// parameters, gathers facts read-only and asks the procedure for its plan; starting one takes the target's lock,
// creates the run folder and hands over to the Runner.
import { InvalidPlanError, PlanBlockedError } from './errors';
import type { Actor } from './journal';
import type { LockHolder } from './lock';
import { targetLabel } from './lock';
import { parseParameters, secretParameters, storableParameters } from './parameters';
import { planProblems, referencedSecrets, renderAction, type CheckAction, type ParamValues, type Plan, type PlanBlocker, type PlanDraft, type TargetRef } from './plan';
import type { Procedure } from './procedure';
import type { LineSink, RunRepository, TargetLocks } from './ports';
import { makeRunId } from './run-id';
import type { RunState } from './run-state';
import { loadRun, Runner, type RunHost, type RunnerOptions } from './runner';
import { withSecrets } from './secrets';

export interface PreparedPlan {
  plan: Plan;
  /** Secret parameter values by name; never stored. */
  secrets: Map<string, string>;
}

export interface PrepareOptions {
  /** Marks the target as production (gates then need the target's name typed), whatever the procedure says. */
  production?: boolean;
  /**
   * Dry runs: a refusal that still has a plan (PlanBlockedError with a draft) returns that plan with its blockers
   * instead of throwing, so the user sees the plan and what resolves the problem. Such a plan cannot be started.
   */
  keepBlocked?: boolean;
  signal?: AbortSignal;
}

/**
 * Validates raw parameters, gathers facts through the host's executors (read-only), and builds the full plan.
 * Throws InvalidParameterError for bad parameters and InvalidPlanError for a plan that is unsafe to run.
 */
export async function preparePlan(
  procedure: Procedure,
  raw: Readonly<Record<string, string>>,
  host: Pick<RunHost, 'executors'>,
  options: PrepareOptions = {},
): Promise<PreparedPlan> {
  const params = parseParameters(procedure.id, procedure.parameters, raw);
  const secrets = secretParameters(procedure.parameters, params);
  const declared = procedure.target(params);
  const target = { ...declared, production: declared.production || options.production === true };
  const signal = options.signal ?? new AbortController().signal;
  const facts = procedure.gatherFacts
    ? await procedure.gatherFacts({ target, params, signal, read: (action) => readOnly(host, action, target, secrets, signal) })
    : undefined;
  const draft = planOrBlocked(procedure, params, facts, target, options.keepBlocked === true);
  const problems = planProblems(draft.steps);
  for (const step of draft.steps) {
    for (const inst of step.instances) {
      const text = renderAction(inst.action) + (inst.verify ? renderAction(inst.verify.action) : '');
      for (const [name, value] of secrets) {
        if (value.length > 0 && text.includes(value)) {
          problems.push(`step ${step.id} (${inst.instance}) contains the value of secret parameter "${name}"; reference it as \${secret:${name}}`);
        }
      }
    }
  }
  if (problems.length > 0) throw new InvalidPlanError(procedure.id, problems.join('; '));
  const plan: Plan = {
    formatVersion: 1,
    procedure: { id: procedure.id, title: procedure.title, version: procedure.version },
    target,
    params: storableParameters(procedure.parameters, params),
    steps: draft.steps,
    warnings: draft.warnings ?? [],
    extra: draft.extra ?? {},
    secrets: referencedSecrets(draft.steps),
    ...(draft.blockers && draft.blockers.length > 0 ? { blockers: draft.blockers } : {}),
  };
  return { plan, secrets };
}

function planOrBlocked(procedure: Procedure, params: ParamValues, facts: unknown, target: TargetRef, keepBlocked: boolean): PlanDraft & { blockers?: PlanBlocker[] } {
  try {
    return procedure.plan(params, facts, target);
  } catch (err) {
    if (keepBlocked && err instanceof PlanBlockedError && err.blocked) return { ...err.blocked.draft, blockers: [...err.blocked.blockers] };
    throw err;
  }
}

async function readOnly(
  host: Pick<RunHost, 'executors'>,
  action: CheckAction,
  target: Plan['target'],
  secrets: ReadonlyMap<string, string>,
  signal: AbortSignal,
): Promise<{ exitCode: number; output: string[] }> {
  const output: string[] = [];
  const sink: LineSink = { line: (_s, text) => output.push(text) };
  const common = { target, step: 'facts', instance: target.name, signal, output: sink };
  const filled = withSecrets(action, secrets);
  const ex = host.executors[filled.kind];
  if (!ex) throw new InvalidPlanError('(facts)', `reading facts needs a "${filled.kind}" executor, which this host does not have`);
  // The executor map is keyed by kind, so the action matches the executor it is given to.
  const r = await (ex as { execute(req: typeof common & { action: CheckAction }): Promise<{ exitCode: number }> }).execute({ ...common, action: filled });
  return { exitCode: r.exitCode, output };
}

export interface RunEnvironment {
  repository: RunRepository;
  locks: TargetLocks;
  host: RunHost;
}

export interface StartOptions extends RunnerOptions {
  /** Called once the run folder exists, before the first step (to print or show the run id). */
  onStarted?(runId: string, location: string): void;
  /** Fixed run id (tests); a fresh time-sortable id otherwise. */
  runId?: string;
}

function holderFor(actor: Actor, runId: string, at: number, target: Plan['target']): LockHolder {
  return { runId, pid: actor.pid, hostname: actor.host, user: actor.user, startedAt: new Date(at).toISOString(), target: targetLabel(target) };
}

/** Starts a run of a prepared plan and carries it out. The target stays locked until it ends. */
export async function startRun(env: RunEnvironment, prepared: PreparedPlan, options: StartOptions = {}): Promise<RunState> {
  const { plan } = prepared;
  if (plan.blockers && plan.blockers.length > 0) {
    throw new PlanBlockedError(`${plan.procedure.title} on ${plan.target.name} cannot start: ${plan.blockers.map((b) => `${b.problem} — ${b.resolution}`).join('; ')}`);
  }
  const now = env.host.clock.now();
  const runId = options.runId ?? makeRunId(plan.procedure.id, new Date(now));
  const lock = await env.locks.acquire(plan.target, holderFor(env.host.actor, runId, now, plan.target));
  try {
    const storage = await env.repository.create(runId);
    try {
      const runner = await Runner.start(storage, plan, env.host, { ...options, secrets: mergeSecrets(prepared.secrets, options.secrets) });
      if (lock.tookOverFrom) await runner.warn(staleMessage(lock.tookOverFrom));
      options.onStarted?.(runId, storage.location);
      return await runner.execute();
    } finally {
      await storage.close();
    }
  } finally {
    await lock.release();
  }
}

/** Resumes a run from its folder, under the target's lock. */
export async function resumeRun(env: RunEnvironment, runId: string, options: StartOptions = {}): Promise<RunState> {
  const storage = await env.repository.open(runId);
  try {
    const { state } = await loadRun(storage);
    const lock = await env.locks.acquire(state.plan.target, holderFor(env.host.actor, runId, env.host.clock.now(), state.plan.target));
    try {
      const runner = await Runner.resume(storage, env.host, options);
      if (lock.tookOverFrom) await runner.warn(staleMessage(lock.tookOverFrom));
      options.onStarted?.(runId, storage.location);
      return await runner.execute();
    } finally {
      await lock.release();
    }
  } finally {
    await storage.close();
  }
}

function mergeSecrets(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string> | undefined): Map<string, string> {
  return new Map([...a, ...(b ?? [])]);
}

function staleMessage(h: LockHolder): string {
  return `Took over the lock of ${h.target || 'the target'} from run ${h.runId} (pid ${h.pid} on ${h.hostname}, since ${h.startedAt}): that process is gone.`;
}
