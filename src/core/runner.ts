// The runner: carries a plan out step by step, recording every state change in the run's journal before anything
// depends on it. It keeps no state of its own that the journal does not also hold, so it can be started again from
// the folder at any point (resume).
import { anySignal, formatDuration, isTimeout, timeoutSignal } from './abort';
import {
  ConfirmationRequiredError,
  IllegalTransitionError,
  InvalidPlanError,
  MissingSecretError,
  NoExecutorError,
  RunAlreadyFinishedError,
} from './errors';
import { encodeEvent, parseJournal, type Actor, type Confirmation, type JournalEvent, type RunOutcome, type StepEvent } from './journal';
import { targetLabel } from './lock';
import { planProblems, renderAction, unitKey, type Action, type CheckAction, type Plan, type Step, type StepInstance, type Verification, type WaitAction, readableAction } from './plan';
import { forEachBounded } from './pool';
import type { Clock, ExecutionResult, Executor, Executors, JobRequest, JobStatus, LineSink, LogFile, Prompter, RunStorage } from './ports';
import { isRedactable, Redactor, UnredactableSecretError } from './redaction';
import { StreamRedactor } from './redaction-stream';
import { applyEvent, replay, type RunState, type UnitState } from './run-state';
import { withSecrets } from './secrets';
import { canTransition, isDone } from './step-state';

/** What the host lends the runner: how to act, how to ask, what time it is, and who is running. */
export interface RunHost {
  executors: Executors;
  prompter: Prompter;
  clock: Clock;
  actor: Actor;
}

export interface RunnerOptions {
  /** Default bound of instances running at once in a fan-out step (a step's own `concurrency` can lower it). */
  concurrency?: number;
  /**
   * Default true: once an instance fails, no further instance starts (those running finish). When false, every
   * instance of the failing step is attempted; the run still stops after that step.
   */
  stopOnFirstFailure?: boolean;
  /** Cancels the run: reaches every running action; the run ends `cancelled`. */
  signal?: AbortSignal;
  /** Secret values by name: substituted into actions, redacted everywhere. Missing ones are asked for. */
  secrets?: ReadonlyMap<string, string>;
  /** Called after each journal event is written (live UI). */
  onEvent?(event: JournalEvent, state: RunState): void;
  /** Called with each (redacted) output line of a step instance (live tail). */
  onLine?(step: string, instance: string, stream: 'stdout' | 'stderr' | 'info', text: string): void;
}

export const DEFAULT_CONCURRENCY = 4;

type Decision = 'rerun' | 'done' | 'stop';
type InterruptedChoice = 'completed' | 'rerun' | 'skip' | 'stop';

interface StepOutcome {
  kind: 'ok' | 'failed' | 'cancelled';
  reason?: string;
}

interface Performed extends ExecutionResult {
  /** The action was abandoned without an abort signal (a manual step dismissed). */
  dismissed?: boolean;
}

/** Reads a run's plan and journal without changing anything (show, report, runs list). */
export async function loadRun(storage: RunStorage): Promise<{ state: RunState; tornLine?: { line: number; text: string } }> {
  const plan = parsePlan(await storage.readPlan(), storage.location);
  const parsed = parseJournal(await storage.readJournal(), storage.journalName);
  const state = replay(storage.runId, plan, parsed.events, storage.journalName);
  return parsed.torn ? { state, tornLine: { line: parsed.torn.line, text: parsed.torn.text } } : { state };
}

function parsePlan(text: string, where: string): Plan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidPlanError('(unknown)', `plan.json in ${where} is not valid JSON`);
  }
  const plan = value as Plan;
  if (plan?.formatVersion !== 1 || !Array.isArray(plan.steps) || typeof plan.target?.name !== 'string') {
    throw new InvalidPlanError(plan?.procedure?.id ?? '(unknown)', `plan.json in ${where} has an unknown format`);
  }
  const problems = planProblems(plan.steps);
  if (problems.length > 0) throw new InvalidPlanError(plan.procedure.id, `plan.json in ${where}: ${problems.join('; ')}`);
  return plan;
}

export class Runner {
  private readonly redactor: Redactor;
  private readonly secrets: Map<string, string>;
  private dirty = false;
  private syncing: Promise<void> | undefined;
  /** Why a unit is about to run again; recorded on its next `running` event. */
  private readonly rerunReasons = new Map<string, string>();

  private constructor(
    private readonly storage: RunStorage,
    readonly state: RunState,
    private readonly host: RunHost,
    private readonly options: RunnerOptions,
    secrets: Map<string, string>,
  ) {
    this.secrets = secrets;
    this.redactor = new Redactor(secrets.values());
  }

  get runId(): string {
    return this.state.runId;
  }

  /** Creates the run in an empty folder: writes plan.json and the first journal event. */
  static async start(storage: RunStorage, plan: Plan, host: RunHost, options: RunnerOptions = {}): Promise<Runner> {
    const secrets = await collectSecrets(plan, host.prompter, options);
    const runner = new Runner(storage, replay(storage.runId, plan, [], storage.journalName), host, options, secrets);
    await storage.writePlan(runner.redactor.redact(JSON.stringify(plan, null, 2)));
    runner.record({ type: 'run-started', at: runner.now(), runId: storage.runId, by: host.actor, host: host.actor.host });
    await runner.durable();
    return runner;
  }

  /**
   * Reopens a run from its folder: ignores a torn last journal line (and says so in the journal), records the
   * resume, and marks units caught `running` as interrupted so that `execute` decides how to finish them.
   */
  static async resume(storage: RunStorage, host: RunHost, options: RunnerOptions = {}): Promise<Runner> {
    const plan = parsePlan(await storage.readPlan(), storage.location);
    const text = await storage.readJournal();
    const parsed = parseJournal(text, storage.journalName);
    const state = replay(storage.runId, plan, parsed.events, storage.journalName);
    if (state.status === 'succeeded') throw new RunAlreadyFinishedError(storage.runId, state.status);
    const secrets = await collectSecrets(plan, host.prompter, options);
    const runner = new Runner(storage, state, host, options, secrets);
    if (parsed.torn) {
      await storage.truncateJournal(new TextEncoder().encode(text.slice(0, parsed.torn.validLength)).length);
      const excerpt = parsed.torn.text.length > 120 ? `${parsed.torn.text.slice(0, 120)}…` : parsed.torn.text;
      runner.record({
        type: 'warning',
        at: runner.now(),
        message: `Ignored a torn last line (line ${parsed.torn.line}) of ${storage.journalName}, written when the run was interrupted: ${excerpt}`,
      });
    }
    runner.record({ type: 'run-resumed', at: runner.now(), by: host.actor });
    // Units caught `running` stay so until execute() has found out what became of their job (settleCaught).
    await runner.durable();
    return runner;
  }

  /** Carries out every unfinished step in plan order. Resolves with the final state; the journal holds the same. */
  async execute(): Promise<RunState> {
    try {
      for (const step of this.state.plan.steps) {
        if (this.options.signal?.aborted) return await this.finish('cancelled', `cancelled before step ${step.id}`);
        const pending = step.instances.filter((i) => !isDone(this.unit(step.id, i.instance).state));
        if (pending.length === 0) continue;
        const outcome = await this.runStep(step, pending);
        if (outcome.kind !== 'ok') return await this.finish(outcome.kind, outcome.reason);
      }
      return await this.finish('succeeded');
    } catch (err) {
      // Whatever stopped the run (a prompt that cannot be asked, a storage failure) is recorded if possible.
      const reason = err instanceof Error ? err.message : String(err);
      const outcome: RunOutcome = err instanceof ConfirmationRequiredError ? 'cancelled' : 'failed';
      try {
        for (const u of this.state.units.values()) {
          if (u.state === 'awaiting-confirmation') this.recordStep(u, 'cancelled', { reason });
        }
        await this.finish(outcome, reason);
      } catch {
        // The original error says more than a failure to record it.
      }
      throw err;
    }
  }

  private async runStep(step: Step, pending: StepInstance[]): Promise<StepOutcome> {
    const toRun: StepInstance[] = [];
    for (const inst of pending) {
      const unit = this.unit(step.id, inst.instance);
      if (unit.state === 'running') {
        const settled = await this.settleCaught(step, inst, unit);
        if (settled.kind === 'done') continue;
        if (settled.kind === 'not-started') {
          // Its endpoint proves the command never ran (and now never will): no doubt to settle, no question to ask.
          toRun.push(inst);
          continue;
        }
        if (settled.kind !== 'interrupted') return settled.kind === 'failed' ? { kind: 'failed', reason: settled.reason } : { kind: 'cancelled', reason: settled.reason };
      }
      if (unit.inDoubt || ((unit.state === 'failed' || unit.state === 'cancelled') && unit.actionStarted)) {
        const decision = await this.decideAfterInterruption(step, inst, unit);
        if (decision === 'stop') return { kind: 'cancelled', reason: `stopped at step ${step.id} (${inst.instance}) after an interruption` };
        if (decision === 'done') continue;
      }
      toRun.push(inst);
    }
    if (toRun.length === 0) return { kind: 'ok' };

    let confirmation: Confirmation | undefined;
    if (step.destructive) {
      for (const inst of toRun) {
        const unit = this.unit(step.id, inst.instance);
        if (unit.state !== 'awaiting-confirmation') this.recordStep(unit, 'awaiting-confirmation', {});
      }
      await this.durable();
      const gate = await this.askGate(step, toRun);
      if (!gate.confirmation) {
        for (const inst of toRun) this.recordStep(this.unit(step.id, inst.instance), 'cancelled', { reason: gate.reason });
        return { kind: 'cancelled', reason: gate.reason };
      }
      confirmation = gate.confirmation;
    }

    // Set by the first instance that fails (or is cancelled); read by instances not yet started.
    const halt: { outcome?: StepOutcome } = {};
    const limit = Math.min(step.concurrency ?? Number.POSITIVE_INFINITY, this.options.concurrency ?? DEFAULT_CONCURRENCY);
    await forEachBounded(toRun, limit, async (inst) => {
      const unit = this.unit(step.id, inst.instance);
      if (halt.outcome || this.options.signal?.aborted) {
        if (unit.state === 'awaiting-confirmation') {
          this.recordStep(unit, 'cancelled', { reason: halt.outcome ? `not started: ${halt.outcome.reason}` : 'not started: run cancelled' });
        }
        return;
      }
      await this.runInstance(step, inst, confirmation);
      if (unit.state === 'failed' && this.options.stopOnFirstFailure !== false) {
        halt.outcome ??= { kind: 'failed', reason: `step ${step.id} failed on ${inst.instance}${unit.reason ? `: ${unit.reason}` : ''}` };
      } else if (unit.state === 'cancelled') {
        halt.outcome ??= { kind: 'cancelled', reason: unit.reason ?? 'cancelled' };
      }
    });

    const units = toRun.map((i) => this.unit(step.id, i.instance));
    const cancelled = units.find((u) => u.state === 'cancelled');
    if (cancelled) return { kind: 'cancelled', reason: halt.outcome?.reason ?? cancelled.reason ?? 'cancelled' };
    const failed = units.filter((u) => u.state === 'failed');
    if (failed.length > 0) {
      return {
        kind: 'failed',
        reason: halt.outcome?.reason ?? `step ${step.id} failed on ${failed.map((u) => u.instance).join(', ')}`,
      };
    }
    if (this.options.signal?.aborted) return { kind: 'cancelled', reason: 'run cancelled' };
    return { kind: 'ok' };
  }

  private async runInstance(step: Step, inst: StepInstance, confirmation: Confirmation | undefined): Promise<void> {
    const unit = this.unit(step.id, inst.instance);
    const key = unitKey(step.id, inst.instance);
    const rerun = this.rerunReasons.get(key);
    this.rerunReasons.delete(key);
    this.recordStep(unit, 'running', { attempt: unit.attempt + 1, ...(confirmation ? { confirmation } : {}), ...(rerun ? { reason: rerun } : {}) });
    // The journal says "running" on disk before the action can have any effect.
    await this.durable();

    const log = this.storage.openLog(step.id, inst.instance);
    const sink = this.sink(log, step.id, inst.instance);
    sink.line('info', `attempt ${unit.attempt} of ${step.id} on ${inst.instance} by ${this.who()}: ${step.title}`);
    sink.line('info', `command: ${renderAction(inst.action)}`);
    const started = this.host.clock.now();
    const timeout = timeoutSignal(step.timeoutMs, this.host.clock);
    const linked = anySignal([this.options.signal, timeout.signal]);
    let end: { state: 'succeeded' | 'failed' | 'cancelled'; reason?: string; exitCode?: number; error?: string };
    const waiting: WaitProgress = {};
    const job = this.jobRequest(step.id, inst.instance, unit.attempt);
    try {
      const result = await this.perform(step, inst.instance, inst.action, linked.signal, sink, waiting, job);
      if (linked.signal.aborted) end = abortOutcome(linked.signal.reason, waiting);
      else if (result.dismissed) end = { state: 'cancelled', reason: result.detail ?? 'dismissed' };
      else if (result.exitCode !== 0) {
        end = { state: 'failed', exitCode: result.exitCode, reason: `exit code ${result.exitCode}${result.detail ? ` (${result.detail})` : ''}` };
      } else if (inst.verify) {
        const v = await this.verify(step, inst, inst.verify, linked.signal, sink);
        if (linked.signal.aborted) end = abortOutcome(linked.signal.reason);
        else end = v.ok ? { state: 'succeeded', exitCode: 0 } : { state: 'failed', exitCode: 0, reason: `verification failed: ${v.why}` };
      } else {
        end = { state: 'succeeded', exitCode: 0 };
      }
    } catch (err) {
      end = linked.signal.aborted ? abortOutcome(linked.signal.reason, waiting) : { state: 'failed', error: errorMessage(err), reason: errorMessage(err) };
    } finally {
      timeout.dispose();
      linked.dispose();
    }
    const durationMs = this.host.clock.now() - started;
    sink.line('info', `${end.state} after ${formatDuration(durationMs)}${end.reason ? `: ${end.reason}` : ''}`);
    sink.end();
    await log.close();
    this.recordStep(unit, end.state, {
      durationMs,
      ...(end.reason !== undefined ? { reason: end.reason } : {}),
      ...(end.exitCode !== undefined ? { exitCode: end.exitCode } : {}),
      ...(end.error !== undefined ? { error: end.error } : {}),
    });
  }

  /** Carries out one action; wait and manual actions are built here on the executors and the prompter. */
  private async perform(step: Step, instance: string, action: Action, signal: AbortSignal, sink: LineSink, waiting: WaitProgress, job: JobRequest): Promise<Performed> {
    switch (action.kind) {
      case 'local':
      case 'ssh':
      case 'kube':
        return this.check(step.id, instance, action, signal, sink, job);
      case 'wait':
        return this.waitFor(step.id, instance, action, signal, sink, waiting);
      case 'manual': {
        const answer = await this.host.prompter.pick({
          title: `${step.title} — ${this.targetName()} / ${instance}`,
          detail: action.instructions,
          options: [
            { value: 'done', label: 'Done', description: 'I carried this out and it worked' },
            { value: 'failed', label: 'It failed', description: 'Stop the run here' },
          ],
          signal,
        });
        sink.line('info', `manual step answered "${answer ?? 'dismissed'}" by ${this.who()}`);
        if (answer === undefined) return { exitCode: 1, dismissed: true, detail: `manual step dismissed by ${this.who()}` };
        return answer === 'done' ? { exitCode: 0 } : { exitCode: 1, detail: `reported failed by ${this.who()}` };
      }
    }
  }

  private async check(step: string, instance: string, action: CheckAction, signal: AbortSignal, output: LineSink, job?: JobRequest): Promise<ExecutionResult> {
    const target = this.state.plan.target;
    const common = { target, step, instance, signal, output, ...(job ? { job } : {}) };
    switch (action.kind) {
      case 'local': {
        const ex = this.host.executors.local;
        if (!ex) throw new NoExecutorError('local', step);
        return ex.execute({ ...common, action: withSecrets(action, this.secrets) });
      }
      case 'ssh': {
        const ex = this.host.executors.ssh;
        if (!ex) throw new NoExecutorError('ssh', step);
        return ex.execute({ ...common, action: withSecrets(action, this.secrets) });
      }
      case 'kube': {
        const ex = this.host.executors.kube;
        if (!ex) throw new NoExecutorError('kube', step);
        return ex.execute({ ...common, action: withSecrets(action, this.secrets) });
      }
    }
  }

  private async waitFor(step: string, instance: string, action: WaitAction, signal: AbortSignal, sink: LineSink, waiting: WaitProgress): Promise<ExecutionResult> {
    if (!action.until) {
      sink.line('info', `waiting ${formatDuration(action.delayMs ?? 0)}: ${action.description}`);
      await this.host.clock.sleep(action.delayMs ?? 0, signal);
      return { exitCode: 0 };
    }
    const failWhen = action.failWhenOutputMatches ? new RegExp(action.failWhenOutputMatches, 'm') : undefined;
    const succeedWhen = action.succeedWhenOutputMatches ? new RegExp(action.succeedWhenOutputMatches, 'm') : undefined;
    for (let n = 1; ; n++) {
      const lines: string[] = [];
      const capture: LineSink = {
        line: (stream, text) => {
          lines.push(text);
          sink.line(stream, text);
        },
      };
      sink.line('info', `check ${n}: ${action.description}`);
      let exitCode: number;
      try {
        const r = await this.check(step, instance, action.until, signal, capture);
        exitCode = r.exitCode;
        waiting.last = r.exitCode === 0 ? undefined : `check ${n}: exit code ${r.exitCode}${r.detail ? ` (${r.detail})` : ''}`;
      } catch (err) {
        if (signal.aborted || err instanceof NoExecutorError) throw err;
        // A check that cannot run (e.g. resource not there yet) is a "not yet", not a failure of the wait.
        sink.line('info', `check ${n} could not run: ${errorMessage(err)}`);
        waiting.last = `check ${n} could not run: ${errorMessage(err)}`;
        exitCode = -1;
      }
      const out = lines.join('\n');
      const bad = failWhen?.exec(out);
      if (bad) return { exitCode: exitCode === 0 ? 1 : exitCode, detail: `failure seen while waiting: ${bad[0]}` };
      if (exitCode === 0 && (!succeedWhen || succeedWhen.test(out))) return { exitCode: 0 };
      await this.host.clock.sleep(action.intervalMs ?? 2000, signal);
    }
  }

  private async verify(step: Step, inst: StepInstance, verification: Verification, signal: AbortSignal, sink: LineSink): Promise<{ ok: boolean; why: string }> {
    sink.line('info', `verify: ${verification.description}: ${renderAction(verification.action)}`);
    const lines: string[] = [];
    const capture: LineSink = {
      line: (stream, text) => {
        lines.push(text);
        sink.line(stream, text);
      },
    };
    const r = await this.check(step.id, inst.instance, verification.action, signal, capture);
    if (r.exitCode !== 0) return { ok: false, why: `${verification.description} (exit code ${r.exitCode})` };
    if (verification.expectOutput && !new RegExp(verification.expectOutput, 'm').test(lines.join('\n'))) {
      return { ok: false, why: `${verification.description} (output does not match /${verification.expectOutput}/)` };
    }
    return { ok: true, why: verification.description };
  }

  /**
   * A unit whose action started but did not succeed (the process died, it failed, it was cancelled mid-way):
   * re-run it only if idempotent; otherwise its verification decides; otherwise the user is asked.
   */
  private async decideAfterInterruption(step: Step, inst: StepInstance, unit: UnitState): Promise<Decision> {
    const key = unitKey(step.id, inst.instance);
    const doubt = unit.inDoubt;
    const what = !doubt ? 'failed' : unit.state === 'failed' ? 'failed mid-way' : 'was interrupted';
    let negative: string | undefined;
    // A remote job keeps running on its endpoint after its step was cancelled or its session lost: nothing starts
    // again, and nothing is verified, while it may still be acting.
    if (unit.job?.kind === 'remote') await this.waitForLeftover(step, inst, unit);
    if (this.options.signal?.aborted) return 'stop';
    if (step.idempotent) {
      this.rerunReasons.set(key, `re-run after it ${what}: the step is idempotent`);
      return 'rerun';
    }
    if (inst.verify) {
      const log = this.storage.openLog(step.id, inst.instance);
      const sink = this.sink(log, step.id, inst.instance);
      sink.line('info', `step ${what} in attempt ${unit.attempt}; checking whether its effect is in place`);
      const timeout = timeoutSignal(step.timeoutMs, this.host.clock);
      const linked = anySignal([this.options.signal, timeout.signal]);
      let verdict: { ok: boolean; why: string } | undefined;
      try {
        verdict = await this.verify(step, inst, inst.verify, linked.signal, sink);
      } catch (err) {
        sink.line('info', `verification could not run: ${errorMessage(err)}`);
      } finally {
        timeout.dispose();
        linked.dispose();
        sink.end();
        await log.close();
      }
      if (this.options.signal?.aborted) return 'stop';
      if (verdict?.ok) {
        this.recordStep(unit, 'succeeded', { reason: `verified after it ${what}: ${verdict.why}` });
        return 'done';
      }
      if (verdict && !doubt) {
        this.rerunReasons.set(key, `re-run after it ${what}: verification found it not done (${verdict.why})`);
        return 'rerun';
      }
      // It may have run in part: "not done" is not proof that running it again is safe, so a person decides.
      if (verdict) negative = verdict.why;
    }
    const why =
      negative !== undefined
        ? `its verification finds it not done (${negative}), but it may already have run in part`
        : inst.verify
          ? 'its verification could not run'
          : 'has no verification';
    const choice = await this.host.prompter.pick<InterruptedChoice>({
      title: `Step "${step.title}" ${what} on ${this.targetName()} / ${inst.instance}`,
      detail:
        `It is not idempotent and ${why}, so Backout cannot tell ` +
        `whether it took effect. Check the target, then say what happened.\nCommand: ${renderAction(inst.action)}`,
      options: [
        { value: 'completed', label: 'It completed', description: 'Record it as succeeded and go on' },
        { value: 'rerun', label: 'Run it again', description: 'It did not take effect' },
        { value: 'skip', label: 'Skip it', description: 'Record it as skipped and go on' },
        { value: 'stop', label: 'Stop', description: 'Leave the run unfinished' },
      ],
      step: step.id,
      instance: inst.instance,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
    switch (choice) {
      case 'completed':
        this.recordStep(unit, 'succeeded', { reason: `marked completed by ${this.answerer()} after it ${what}` });
        return 'done';
      case 'skip':
        this.recordStep(unit, 'skipped', { reason: `skipped by ${this.answerer()} after it ${what}` });
        return 'done';
      case 'rerun':
        this.rerunReasons.set(key, `re-run by decision of ${this.answerer()} after it ${what}`);
        return 'rerun';
      default:
        return 'stop';
    }
  }

  /** Waits for the job of a unit's last attempt if its endpoint says it is still running; says what it found. */
  private async waitForLeftover(step: Step, inst: StepInstance, unit: UnitState): Promise<void> {
    const action = inst.action;
    if (action.kind !== 'ssh' && action.kind !== 'local' && action.kind !== 'kube') return;
    const executor = this.host.executors[action.kind] as Executor<CheckAction> | undefined;
    if (!executor?.inspectJob || !executor.awaitJob) return;
    const log = this.storage.openLog(step.id, inst.instance);
    const sink = this.sink(log, step.id, inst.instance);
    const query = {
      slot: this.storage.jobSlot(step.id, inst.instance, unit.attempt),
      ...(unit.job ? { identity: unit.job } : {}),
      action,
      target: this.state.plan.target,
      signal: this.options.signal ?? new AbortController().signal,
      output: sink,
    };
    try {
      let status = await executor.inspectJob(query).catch((err: unknown): JobStatus => ({ state: 'unknown', detail: `its job could not be looked up: ${errorMessage(err)}` }));
      if (status.state === 'running') {
        const message = `Step ${step.id} on ${inst.instance} (attempt ${unit.attempt}) is still running on its endpoint after it ${unit.state === 'failed' ? 'failed' : 'was stopped'} here (${status.detail}): waiting for it to end before deciding anything.`;
        sink.line('info', message);
        this.record({ type: 'warning', at: this.now(), message });
        await this.durable();
        status = await executor.awaitJob(query).catch((err: unknown): JobStatus => ({ state: 'unknown', detail: `waiting for its job failed: ${errorMessage(err)}` }));
      }
      sink.line('info', `the job of attempt ${unit.attempt}: ${status.state} (${status.detail})`);
    } finally {
      sink.end();
      await log.close();
    }
  }

  /** The job folder of this attempt, and the journaling of what the executor started in it. */
  private jobRequest(step: string, instance: string, attempt: number): JobRequest {
    return {
      slot: this.storage.jobSlot(step, instance, attempt),
      started: (job) => {
        this.record({ type: 'job', at: this.now(), step, instance, attempt, job });
        // Made durable with the next group commit; a failure to sync surfaces there.
        void this.durable().catch(() => undefined);
      },
    };
  }

  /**
   * A unit the journal shows `running` when the run is resumed: the session that started it stopped. Its job is
   * looked up: still running, it is waited for (never started again); ended, its recorded exit code and then its
   * verification decide; gone without an exit code (or not findable), it is recorded as interrupted and
   * decideAfterInterruption takes over.
   */
  private async settleCaught(step: Step, inst: StepInstance, unit: UnitState): Promise<{ kind: 'done' | 'interrupted' | 'not-started' | 'failed' | 'cancelled'; reason: string }> {
    const action = inst.action;
    const executor: Executor<CheckAction> | undefined =
      action.kind === 'local' || action.kind === 'ssh' || action.kind === 'kube' ? (this.host.executors[action.kind] as Executor<CheckAction> | undefined) : undefined;
    const log = this.storage.openLog(step.id, inst.instance);
    const sink = this.sink(log, step.id, inst.instance);
    const signal = this.options.signal ?? new AbortController().signal;
    try {
      let status: JobStatus = { state: 'unknown', detail: `a ${action.kind} step leaves no job to find` };
      if (executor?.inspectJob && (action.kind === 'local' || action.kind === 'ssh' || action.kind === 'kube')) {
        const query = {
          slot: this.storage.jobSlot(step.id, inst.instance, unit.attempt),
          ...(unit.job ? { identity: unit.job } : {}),
          action,
          target: this.state.plan.target,
          signal,
          output: sink,
        };
        status = await executor.inspectJob(query).catch((err: unknown): JobStatus => ({ state: 'unknown', detail: `its job could not be looked up: ${errorMessage(err)}` }));
        if (status.state === 'running') {
          const message = `Step ${step.id} on ${inst.instance} (attempt ${unit.attempt}) is still running from the interrupted session (${status.detail}): waiting for it to end, not starting it again.`;
          sink.line('info', message);
          this.record({ type: 'warning', at: this.now(), message });
          await this.durable();
          status = executor.awaitJob
            ? await executor.awaitJob(query).catch((err: unknown): JobStatus => ({ state: 'unknown', detail: `waiting for its job failed: ${errorMessage(err)}` }))
            : { state: 'unknown', detail: 'its executor cannot wait for a job' };
          if (signal.aborted) {
            const reason = `cancelled while waiting for the job of the interrupted session (${status.detail})`;
            this.recordStep(unit, 'cancelled', { reason });
            return { kind: 'cancelled', reason };
          }
        }
      }
      sink.line('info', `attempt ${unit.attempt} was caught mid-way by the interruption; its job: ${status.state} (${status.detail})`);
      if (status.state === 'exited' && status.exitCode === 0) {
        if (inst.verify) {
          const v = await this.verify(step, inst, inst.verify, signal, sink).catch((err: unknown) => ({ ok: false, why: `could not run: ${errorMessage(err)}` }));
          if (!v.ok) {
            const reason = `it ended with exit code 0 after the interruption, but verification failed: ${v.why}`;
            this.recordStep(unit, 'failed', { exitCode: 0, reason });
            return { kind: 'failed', reason: `step ${step.id} failed on ${inst.instance}: ${reason}` };
          }
        }
        this.recordStep(unit, 'succeeded', { exitCode: 0, reason: `finished after the interruption (${status.detail})${inst.verify ? `; verified: ${inst.verify.description}` : ''}` });
        return { kind: 'done', reason: '' };
      }
      if (status.state === 'exited') {
        const reason = `exit code ${status.exitCode} after the interruption (${status.detail})`;
        this.recordStep(unit, 'failed', { exitCode: status.exitCode, reason });
        return { kind: 'failed', reason: `step ${step.id} failed on ${inst.instance}: ${reason}` };
      }
      if (status.state === 'not-started' && !unit.inDoubt) {
        const reason = `interrupted before its command started (${status.detail})`;
        this.recordStep(unit, 'cancelled', { reason });
        this.rerunReasons.set(unitKey(step.id, inst.instance), `run again: attempt ${unit.attempt} never started (${status.detail})`);
        return { kind: 'not-started', reason };
      }
      this.recordStep(unit, 'cancelled', { reason: `interrupted: the process running it stopped before it finished (${status.detail})` });
      return { kind: 'interrupted', reason: '' };
    } finally {
      await log.close();
    }
  }

  private async askGate(step: Step, insts: StepInstance[]): Promise<{ confirmation?: Confirmation; reason: string }> {
    const target = this.state.plan.target;
    const label = target.description ?? targetLabel(target);
    const first = insts[0] as StepInstance;
    const detail = [
      `${step.title}`,
      `Instances: ${insts.map((i) => i.instance).join(', ')}`,
      `Command${insts.length > 1 ? ` (for ${first.instance})` : ''}: ${readableAction(first.action)}`,
      `Source: ${step.source}`,
    ].join('\n');
    const signal = this.options.signal;
    const about = { step: step.id, instance: insts.map((i) => i.instance).join(', ') };
    let ok: boolean;
    let method: string;
    try {
      if (target.production) {
        method = 'typed-target-name';
        ok = await this.host.prompter.typeToConfirm({
          title: `Destructive step on production target ${target.name}: ${step.title}`,
          target: label,
          expected: target.name,
          detail,
          ...about,
          ...(signal ? { signal } : {}),
        });
      } else {
        method = 'confirm';
        ok = await this.host.prompter.confirm({ title: `Destructive step: ${step.title}`, target: label, detail, ...about, ...(signal ? { signal } : {}) });
      }
    } catch (err) {
      if (signal?.aborted) return { reason: 'cancelled while waiting for confirmation' };
      throw err;
    }
    if (signal?.aborted) return { reason: 'cancelled while waiting for confirmation' };
    if (!ok) return { reason: `declined by ${this.answerer()}` };
    const via = this.host.prompter.via;
    return { confirmation: { by: this.answerer(), at: this.now(), method: via ? `${method} via ${via}` : method }, reason: '' };
  }

  private async finish(outcome: RunOutcome, reason?: string): Promise<RunState> {
    this.record({ type: 'run-finished', at: this.now(), outcome, ...(reason ? { reason } : {}) });
    await this.durable();
    return this.state;
  }

  private recordStep(
    unit: UnitState,
    to: StepEvent['state'],
    extra: Partial<Pick<StepEvent, 'attempt' | 'reason' | 'exitCode' | 'error' | 'durationMs' | 'confirmation'>>,
  ): void {
    if (!canTransition(unit.state, to)) throw new IllegalTransitionError(unitKey(unit.step, unit.instance), unit.state, to);
    this.record({ type: 'step', at: this.now(), step: unit.step, instance: unit.instance, state: to, attempt: unit.attempt, ...extra });
  }

  /** Writes an event (redacted) to the journal and applies it. Not yet durable: see durable(). */
  private record(event: JournalEvent): void {
    const line = this.redactor.redact(encodeEvent(event));
    const safe = JSON.parse(line) as JournalEvent;
    // On disk first: if the write fails, the state in memory has not moved ahead of the journal.
    this.storage.appendJournal(line);
    this.dirty = true;
    applyEvent(this.state, safe, { file: this.storage.journalName, line: this.state.events + 1 });
    // A failing observer (a UI) must not stop a rollback half-way; the journal already holds the event.
    try {
      this.options.onEvent?.(safe, this.state);
    } catch {
      // Ignored on purpose.
    }
  }

  /**
   * Makes every event recorded so far durable. Concurrent callers share one fsync (group commit): an event recorded
   * while a sync is in flight is covered by the next one, which its caller waits for.
   */
  async durable(): Promise<void> {
    // Let instances started in the same turn record their events first, so that one fsync covers them all.
    await Promise.resolve();
    while (this.dirty || this.syncing) {
      if (this.syncing) {
        await this.syncing;
        continue;
      }
      this.dirty = false;
      this.syncing = this.storage.syncJournal().finally(() => {
        this.syncing = undefined;
      });
      await this.syncing;
    }
  }

  /** Records a signal the run host received, or the loss of its terminal, and what it does about it. */
  async hostEvent(signal: string, message: string): Promise<void> {
    this.record({ type: 'host', at: this.now(), signal, message });
    await this.durable();
  }

  /** Adds a warning to the journal (e.g. a stale lock taken over). */
  async warn(message: string): Promise<void> {
    this.record({ type: 'warning', at: this.now(), message });
    await this.durable();
  }

  /**
   * Where a unit's output lines go: redacted, to its log file and the observer. Output streams are redacted as
   * streams (a secret split over lines is caught), so a line can be held until the next one; `end` releases the rest.
   */
  private sink(log: LogFile, step: string, instance: string): LineSink & { end(): void } {
    const write = (stream: Parameters<LineSink['line']>[0], safe: string): void => {
      log.append(`${this.now()} ${stream.padEnd(6)} ${safe}\n`);
      try {
        this.options.onLine?.(step, instance, stream, safe);
      } catch {
        // As for onEvent: the log file holds the line.
      }
    };
    const streams = new Map<string, StreamRedactor>();
    const end = (): void => {
      for (const s of streams.values()) s.end();
    };
    return {
      line: (stream, text) => {
        // Backout's own lines are whole texts; the program's output is in order before them.
        if (stream === 'info') {
          end();
          return write(stream, this.redactor.redact(text));
        }
        let s = streams.get(stream);
        if (s === undefined) {
          s = new StreamRedactor(this.redactor, (safe) => write(stream, safe));
          streams.set(stream, s);
        }
        s.push(text);
      },
      end,
    };
  }

  private unit(step: string, instance: string): UnitState {
    return this.state.units.get(unitKey(step, instance)) as UnitState;
  }

  private now(): string {
    return new Date(this.host.clock.now()).toISOString();
  }

  /** Who gave the last answer: someone attached through the run folder, else the person running Backout here. */
  private answerer(): string {
    return this.host.prompter.answeredBy ?? this.who();
  }

  private who(): string {
    return `${this.host.actor.user}@${this.host.actor.host}`;
  }

  private targetName(): string {
    const t = this.state.plan.target;
    return t.description ?? targetLabel(t);
  }
}

/** What the last check of a wait said, for the reason given when the wait times out. */
interface WaitProgress {
  last?: string;
}

function abortOutcome(reason: unknown, waiting: WaitProgress = {}): { state: 'failed' | 'cancelled'; reason: string } {
  if (isTimeout(reason)) return { state: 'failed', reason: waiting.last ? `${reason.message}; last ${waiting.last}` : reason.message };
  const said = reason instanceof Error && reason.name !== 'AbortError' ? reason.message : typeof reason === 'string' ? reason : '';
  return { state: 'cancelled', reason: said ? `cancelled: ${said}` : 'cancelled' };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function collectSecrets(plan: Plan, prompter: Prompter, options: RunnerOptions): Promise<Map<string, string>> {
  const secrets = new Map(options.secrets ?? []);
  for (const name of plan.secrets) {
    if (secrets.has(name)) continue;
    const value = await prompter.askSecret({
      title: `Secret "${name}" for ${plan.procedure.title}`,
      name,
      prompt: `The plan for ${targetLabel(plan.target)} needs "${name}"; it is not stored with the run.`,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (value === undefined) throw new MissingSecretError(name);
    if (!isRedactable(value)) throw new UnredactableSecretError(`Secret "${name}"`);
    secrets.set(name, value);
  }
  return secrets;
}
