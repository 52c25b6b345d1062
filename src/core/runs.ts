// Starting, resuming and reading runs: the same calls for the CLI and the extension. Preparing a plan validates the
// parameters, gathers facts read-only and asks the procedure for its plan; starting one takes the target's lock,
// creates the run folder and hands over to the Runner.
import type { CancelRequest } from './control';
import { InvalidParameterError, InvalidPlanError, PlanBlockedError, RunAlreadyRunningError, TargetLockedError } from './errors';
import { isRedactable, MIN_SECRET_LENGTH } from './redaction';
import type { Actor } from './journal';
import type { LockHolder } from './lock';
import { targetLabel } from './lock';
import { parseParameters, secretParameters, storableParameters } from './parameters';
import { productionReasons, type ProductionSources } from './production';
import { planProblems, referencedSecrets, renderAction, type CheckAction, type ParamValues, type Plan, type PlanBlocker, type PlanDraft, type TargetRef } from './plan';
import type { Procedure } from './procedure';
import type { Executor, Executors, LineSink, RunRepository, TargetLocks } from './ports';
import { makeRunId } from './run-id';
import type { RunState } from './run-state';
import { loadRun, Runner, type RunHost, type RunnerOptions } from './runner';
import { SECRET_REFERENCE, SecretReferenceInFactsError, secretReferenceIn, withSecrets } from './secrets';

export interface PreparedPlan {
  plan: Plan;
  /** Secret parameter values by name; never stored. */
  secrets: Map<string, string>;
}

export interface PrepareOptions {
  /** Marks the target as production (gates then need the target's name typed), whatever the procedure says. */
  production?: boolean;
  /** The host's other sources of "production" (inventory, production contexts); any one of them makes it production. */
  productionSources?: ProductionSources;
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
  for (const d of procedure.parameters) {
    const v = params[d.name];
    if (d.secret) {
      if (typeof v === 'string' && !isRedactable(v)) {
        throw new InvalidParameterError(procedure.id, d.name, `is shorter than ${MIN_SECRET_LENGTH} characters, too short to be kept out of logs and reports`, `a secret of ${MIN_SECRET_LENGTH} characters or more`);
      }
    } else if (typeof v === 'string' && v.includes(SECRET_REFERENCE)) {
      throw new InvalidParameterError(procedure.id, d.name, `contains "${SECRET_REFERENCE}", which only a procedure may write (a secret would be filled in)`, 'a value without secret references; give secrets as secret parameters');
    }
  }
  const declared = procedure.target(params);
  const sources: ProductionSources = { ...options.productionSources, ...(options.production === true ? { always: true } : {}) };
  const target = { ...declared, production: productionReasons(declared, sources).length > 0 };
  const signal = options.signal ?? new AbortController().signal;
  const facts = procedure.gatherFacts
    ? await procedure.gatherFacts({ target, params, signal, read: (action) => readOnly(host, action, target, secrets, signal) })
    : undefined;
  const inFacts = secretReferenceIn(facts);
  if (inFacts !== undefined) throw new SecretReferenceInFactsError(procedure.id, inFacts);
  const draft = planOrBlocked(procedure, params, facts, target, options.keepBlocked === true);
  const endpoints = await resolveEndpoints(draft.steps, host.executors);
  if (endpoints.length > 0) target.endpoints = endpoints;
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

/**
 * What the plan's actions reach, as the host resolves it (SSH aliases to address:port, contexts to server and CA):
 * the identity the target lock is keyed by. An action its executor cannot name is known by its own words.
 */
export async function resolveEndpoints(steps: Plan['steps'], executors: Executors): Promise<string[]> {
  const found = new Set<string>();
  const name = async (action: CheckAction): Promise<void> => {
    const ex = executors[action.kind] as Executor<CheckAction> | undefined;
    const fallback = action.kind === 'ssh' ? `ssh ${action.host}` : action.kind === 'kube' ? `kube context ${action.context}` : undefined;
    let id: string | undefined;
    try {
      id = ex?.identify ? await ex.identify(action) : fallback;
    } catch {
      id = fallback;
    }
    if (id !== undefined) found.add(id);
  };
  for (const step of steps) {
    for (const inst of step.instances) {
      const a = inst.action;
      if (a.kind === 'local' || a.kind === 'ssh' || a.kind === 'kube') await name(a);
      else if (a.kind === 'wait' && a.until) await name(a.until);
      if (inst.verify) await name(inst.verify.action);
    }
  }
  return [...found].sort();
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

/** The run folder's requests, read by the run host while it runs (see control.ts). */
export interface RunControlChannel {
  takeCancelRequest(): CancelRequest | { unreadable: true } | undefined;
}

/** What the host (the CLI) may do with a run once it executes. */
export interface RunHandle {
  readonly runId: string;
  /** Journals a signal received or a terminal lost, and what is done about it. */
  hostEvent(signal: string, message: string): Promise<void>;
  warn(message: string): Promise<void>;
}

export interface StartOptions extends RunnerOptions {
  /** Called once the run folder exists, before the first step (to print or show the run id). */
  onStarted?(runId: string, location: string): void;
  /** Fixed run id (tests); a fresh time-sortable id otherwise. */
  runId?: string;
  /** The control channel of the run folder at `location`: cancel requests are polled while the run executes. */
  control?(location: string): RunControlChannel;
  /** Called once the run executes, with a handle on it. */
  onRunner?(handle: RunHandle): void;
}

/** How often the run folder is checked for a cancel request. */
const CONTROL_POLL_MS = 250;

/**
 * Polls for a cancel request until `stop` aborts; a valid one (for this run) is journaled and cancels the run, as
 * Ctrl-C would. A cancel is a request the run host honours: no process is ever signalled for it.
 */
async function honourCancelRequests(channel: RunControlChannel, runner: Runner, host: RunHost, cancel: AbortController, stop: AbortSignal): Promise<void> {
  while (!stop.aborted) {
    const request = channel.takeCancelRequest();
    if (request && 'unreadable' in request) await runner.warn('Ignored a cancel request file that is not one written by Backout.');
    else if (request && request.runId !== runner.runId) await runner.warn(`Ignored a cancel request for run ${request.runId}, found in the folder of run ${runner.runId}.`);
    else if (request) {
      await runner.warn(`Cancel requested by ${request.by} via ${request.via} at ${request.at}.`);
      cancel.abort(new Error(`cancel requested by ${request.by} via ${request.via}`));
      return;
    }
    await host.clock.sleep(CONTROL_POLL_MS, stop).catch(() => undefined);
  }
}

/** Runs `runner` to its end, honouring the folder's cancel requests meanwhile. */
async function executeUnderControl(runner: Runner, location: string, env: RunEnvironment, options: StartOptions, cancel: AbortController): Promise<RunState> {
  options.onRunner?.({ runId: runner.runId, hostEvent: (signal, message) => runner.hostEvent(signal, message), warn: (message) => runner.warn(message) });
  const stop = new AbortController();
  const watching = options.control ? honourCancelRequests(options.control(location), runner, env.host, cancel, stop.signal).catch(() => undefined) : Promise.resolve();
  try {
    return await runner.execute();
  } finally {
    stop.abort();
    await watching;
  }
}

/** The caller's signal, and the cancel requests that arrive through the run folder. */
function cancellable(options: StartOptions): { cancel: AbortController; options: StartOptions } {
  const cancel = new AbortController();
  const signals = [cancel.signal, ...(options.signal ? [options.signal] : [])];
  return { cancel, options: { ...options, signal: AbortSignal.any(signals) } };
}

function holderFor(actor: Actor, runId: string, at: number, target: Plan['target']): LockHolder {
  return { runId, pid: actor.pid, hostname: actor.host, user: actor.user, startedAt: new Date(at).toISOString(), target: targetLabel(target) };
}

/** Starts a run of a prepared plan and carries it out. The target stays locked until it ends. */
export async function startRun(env: RunEnvironment, prepared: PreparedPlan, given: StartOptions = {}): Promise<RunState> {
  const { cancel, options } = cancellable(given);
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
      return await executeUnderControl(runner, storage.location, env, options, cancel);
    } finally {
      await storage.close();
    }
  } finally {
    await lock.release();
  }
}

/** How long a resume waits for the host of a run whose journal has ended to let go of the lock as it exits. */
const FINISHING_HOST_WAIT_MS = 15_000;

async function acquireForResume(env: RunEnvironment, state: RunState, runId: string): Promise<Awaited<ReturnType<RunEnvironment['locks']['acquire']>>> {
  const ended = state.status !== 'not-started' && state.status !== 'unfinished';
  const waitUntil = env.host.clock.now() + (ended ? FINISHING_HOST_WAIT_MS : 0);
  for (;;) {
    try {
      return await env.locks.acquire(state.plan.target, holderFor(env.host.actor, runId, env.host.clock.now(), state.plan.target));
    } catch (err) {
      // Resuming a run that is running (a second click on Resume, a resume in another terminal) follows it instead.
      // A run whose journal has ended is not running: its host is closing its socket and releasing the lock, which
      // takes a moment; a resume given right then waits for it instead of being refused.
      if (err instanceof TargetLockedError && err.holder.runId === runId) {
        if (env.host.clock.now() < waitUntil) {
          await env.host.clock.sleep(200);
          continue;
        }
        throw new RunAlreadyRunningError(runId, err.holder);
      }
      throw err;
    }
  }
}

/** Resumes a run from its folder, under the target's lock. */
export async function resumeRun(env: RunEnvironment, runId: string, given: StartOptions = {}): Promise<RunState> {
  const { cancel, options } = cancellable(given);
  const storage = await env.repository.open(runId);
  try {
    const { state } = await loadRun(storage);
    const lock = await acquireForResume(env, state, runId);
    try {
      const runner = await Runner.resume(storage, env.host, options);
      if (lock.tookOverFrom) await runner.warn(staleMessage(lock.tookOverFrom));
      options.onStarted?.(runId, storage.location);
      return await executeUnderControl(runner, storage.location, env, options, cancel);
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
