// Runs of this VS Code window, on the same engine and run folders as the CLI. A run of a procedure the `backout` CLI
// knows (the built-in ones, procedure modules) is owned by a detached run host, the bundled CLI started through the
// launcher: this window attaches to it through the run folder (journal, logs, gate answers, cancel requests) and its
// socket (secrets, host keys), so reloading or closing the window does not interrupt it, and reopening attaches
// again. A procedure that exists only in this window's memory (registered through the API) runs here, as before.
// Everything shown comes from the run folder; runs of other processes are picked up by watching the runs folder.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { launchRunHost, RunHostExitedError, type RunHostCommand } from '../../adapters/local/run-launcher';
import type { AttachAnswerer } from '../../adapters/local/attach-client';
import { FILE_MODE, FOLDER_MODE } from '../../adapters/local/run-folder';
import type { JournalEvent } from '../../core/journal';
import type { Prompter } from '../../core/ports';
import { Disposable, DisposableGroup } from '../disposable';
import { hostEnvironment } from './host-environment';
import { HostedRun } from './hosted-run';
import { currentActor, systemClock } from '../../adapters/local/system';
import { localLockHost } from '../../adapters/local/file-lock';
import { RunControlFiles } from '../../adapters/local/run-control';
import { RunAlreadyRunningError } from '../../core/errors';
import { isStale, targetKey } from '../../core/lock';
import type { TargetRef } from '../../core/plan';
import type { Executors } from '../../core/ports';
import type { Procedure } from '../../core/procedure';
import type { ProductionSources } from '../../core/production';
import type { RunState } from '../../core/run-state';
import { comparablePlan } from '../../core/plan-diff';
import { preparePlan, resumeRun, startRun, type PreparedPlan, type RunEnvironment, type RunHandle } from '../../core/runs';
import type { GateBroker } from './gates';
import type { RunStore } from './run-store';
import { VscodePrompter } from './vscode-prompter';

export interface RunEvent {
  runId: string;
  /** A changed step instance, when the change is about one (live log lines). */
  line?: { step: string; instance: string; stream: 'stdout' | 'stderr' | 'info'; text: string };
}

interface ActiveRun {
  controller: AbortController;
  done: Promise<RunState>;
  /** The run's folder, where steps save what they back up (e.g. manifests before a delete). */
  location: string;
  target: string;
  /** Set once the run executes: journals what happens to the window. */
  handle?: RunHandle;
}

export interface RunServiceDeps {
  store: RunStore;
  gates: GateBroker;
  executors(): Executors;
  log: vscode.LogOutputChannel;
  settings(): { concurrency: number; stopOnFirstFailure: boolean };
  /** What makes a target production besides the procedure's parameter (inventory, backout.productionContexts). */
  production?(): ProductionSources;
  reveal(runId: string): void;
  /**
   * The detached run host: how to start the bundled CLI, and for a procedure the CLI's extra arguments to know it
   * (`--procedures FILE`), or undefined when it cannot (the procedure exists only in this window: it runs here).
   */
  runHost?: { command: RunHostCommand; argsFor(procedureId: string): string[] | undefined };
  /** A secret VS Code keeps under the name a run host asks for (SSH passwords in SecretStorage). */
  storedSecret?(name: string): Promise<string | undefined>;
  /** Asks for secrets (with SecretStorage's Remember) and host keys on behalf of a run host. */
  connectPrompter?: Prompter;
}

export class RunService extends Disposable {
  private readonly active = new Map<string, ActiveRun>();
  /** Runs owned by a run host this window is attached to. */
  private readonly hosted = new Map<string, HostedRun>();
  /** Resumes being launched, so that a second click on Resume attaches to the first instead of starting another. */
  private readonly launching = new Map<string, Promise<string>>();
  private readonly changed = this.register(new vscode.EventEmitter<RunEvent>());
  readonly onDidChange = this.changed.event;
  private readonly watcher = this.register(new DisposableGroup());

  constructor(private readonly deps: RunServiceDeps) {
    super();
    this.register(deps.gates.onDidChange((runId) => this.changed.fire({ runId })));
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('backout.runsDirectory')) return;
        this.watchRunsFolder();
        this.changed.fire({ runId: '' });
      }),
    );
    this.watchRunsFolder();
    void this.attachRunning().catch((err: unknown) => this.deps.log.warn(`Could not look for runs in progress: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** Journals written by other processes (the CLI, another window): their views refresh as they change. */
  private watchRunsFolder(): void {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(this.deps.store.root), '*/journal.jsonl'));
    const external = (uri: vscode.Uri) => {
      const runId = path.basename(path.dirname(uri.fsPath));
      if (!this.active.has(runId) && !this.hosted.has(runId)) this.changed.fire({ runId });
    };
    this.watcher.replace([watcher, watcher.onDidChange(external), watcher.onDidCreate(external)]);
  }

  isActive(runId: string): boolean {
    return this.active.has(runId) || this.hosted.has(runId);
  }

  activeRuns(): string[] {
    return [...this.active.keys(), ...this.hosted.keys()];
  }

  /** Validates parameters, gathers facts read-only and builds the plan; executes nothing. Dry runs keep a blocked plan. */
  prepare(procedure: Procedure, params: Record<string, string>, signal?: AbortSignal, options: { keepBlocked?: boolean } = {}): Promise<PreparedPlan> {
    const productionSources = this.deps.production?.();
    return preparePlan(procedure, params, { executors: this.deps.executors() }, { ...(signal ? { signal } : {}), ...(productionSources ? { productionSources } : {}), ...options });
  }

  private environment(runIdRef: { id?: string }): RunEnvironment {
    const prompter = new VscodePrompter({ runId: () => runIdRef.id, gates: this.deps.gates, reveal: (id) => this.deps.reveal(id) });
    return {
      repository: this.deps.store.repository(),
      locks: this.deps.store.locks(),
      host: { executors: this.deps.executors(), prompter, clock: systemClock, actor: currentActor() },
    };
  }

  /** Starts a prepared plan; resolves with the run id once its folder exists (the run goes on in the background). */
  start(prepared: PreparedPlan): Promise<string> {
    const hostArgs = this.deps.runHost?.argsFor(prepared.plan.procedure.id);
    if (hostArgs) return this.startHosted(prepared, hostArgs);
    return this.launch((env, options) => startRun(env, prepared, options), `${prepared.plan.procedure.title} on ${prepared.plan.target.name}`, targetKey(prepared.plan.target));
  }

  /**
   * Resumes a run. One that is running already (here: a second click on Resume; or in another process: the CLI) is
   * not run a second time: its panel is shown, following its journal.
   */
  async resume(runId: string): Promise<string> {
    if (this.active.has(runId) || this.hosted.has(runId)) {
      this.deps.reveal(runId);
      return runId;
    }
    const inFlight = this.launching.get(runId);
    if (inFlight) {
      this.deps.reveal(runId);
      return inFlight;
    }
    const { state } = await this.deps.store.read(runId);
    const hostArgs = this.deps.runHost?.argsFor(state.plan.procedure.id);
    if (hostArgs) {
      const resuming = this.resumeHosted(runId, state, hostArgs).finally(() => this.launching.delete(runId));
      this.launching.set(runId, resuming);
      return resuming;
    }
    try {
      return await this.launch((env, options) => resumeRun(env, runId, options), `run ${runId}`, targetKey(state.plan.target));
    } catch (err) {
      if (!(err instanceof RunAlreadyRunningError)) throw err;
      this.deps.reveal(runId);
      void vscode.window.showInformationMessage(`Backout: ${err.message}`);
      return runId;
    }
  }

  /** The folder of the run executing here on a target (one run per target), for executors that save files. */
  folderOf(target: TargetRef): string | undefined {
    const key = targetKey(target);
    for (const run of this.active.values()) if (run.target === key) return run.location;
    for (const run of this.hosted.values()) if (run.target === key) return run.location;
    return undefined;
  }

  private launch(
    go: (env: RunEnvironment, options: Parameters<typeof startRun>[2] & object) => Promise<RunState>,
    what: string,
    target: string,
  ): Promise<string> {
    const ref: { id?: string } = {};
    const controller = new AbortController();
    const settings = this.deps.settings();
    const running = new Set<string>();
    const progressMessage: { text: string; changed?: () => void } = { text: 'starting' };
    return new Promise<string>((resolveStarted, rejectStarted) => {
      let started = false;
      const done = go(this.environment(ref), {
        signal: controller.signal,
        // `backout cancel` (or another window) asks through the run folder; the request is honoured here.
        control: (location) => new RunControlFiles(location),
        onRunner: (handle) => {
          const run = this.active.get(handle.runId);
          if (run) run.handle = handle;
        },
        concurrency: settings.concurrency,
        stopOnFirstFailure: settings.stopOnFirstFailure,
        onStarted: (runId, location) => {
          ref.id = runId;
          started = true;
          this.active.set(runId, { controller, done, location, target });
          this.deps.log.info(`Run ${runId} started: ${what}`);
          this.changed.fire({ runId });
          this.showProgress(runId, what, done, progressMessage);
          resolveStarted(runId);
        },
        onEvent: (event) => {
          this.describe(ref.id ?? 'starting', event, running, progressMessage);
          if (ref.id) this.changed.fire({ runId: ref.id });
        },
        onLine: (step, instance, stream, text) => {
          if (!ref.id) return;
          const line = `[${ref.id}] ${step} (${instance}) ${stream}: ${text}`;
          if (stream === 'stderr') this.deps.log.warn(line);
          else this.deps.log.info(line);
          this.changed.fire({ runId: ref.id, line: { step, instance, stream, text } });
        },
      });
      done
        .catch((err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          this.deps.log.error(`${what}: ${message}`);
          if (!started) rejectStarted(err);
          else void vscode.window.showErrorMessage(`Backout: ${message}`);
        })
        .finally(() => {
          if (ref.id) {
            this.active.delete(ref.id);
            this.changed.fire({ runId: ref.id });
          }
        });
    });
  }

  /**
   * Progress in the status bar while the run executes here, naming the step(s) running (long steps show it for as
   * long as they take; the Runs view shows each step's state); the run is cancelled from its item or its panel.
   */
  private showProgress(runId: string, what: string, done: Promise<unknown>, message: { text: string; changed?: () => void }): void {
    void vscode.window.withProgress(
      // In the status bar, not a notification (one that stays up for the whole run covers the gate's buttons), nor the
      // Runs view's progress, which would hide its badge counting the runs that wait for a person.
      { location: vscode.ProgressLocation.Window, title: `Backout: ${what}` },
      async (progress, token) => {
        const sub = token.onCancellationRequested(() => void this.cancel(runId).catch(() => undefined));
        message.changed = () => progress.report({ message: message.text });
        progress.report({ message: message.text });
        try {
          await done.catch(() => undefined);
        } finally {
          message.changed = undefined;
          sub.dispose();
        }
      },
    );
  }

  /** Waits for a run executing here to end (tests, deactivation). */
  async whenDone(runId: string): Promise<RunState | undefined> {
    const hosted = this.hosted.get(runId);
    if (hosted) {
      await hosted.done;
      return (await this.deps.store.read(runId)).state;
    }
    return this.active.get(runId)?.done.catch(() => undefined);
  }

  /**
   * Cancels a run. One executing here is aborted (its pending gate declined); one run by another process (the CLI)
   * is asked to cancel through a request in its run folder, which that process checks and honours. No process is
   * ever signalled: a pid in a lock file may name another process by now. Returns what was done, for the message.
   */
  async cancel(runId: string): Promise<string> {
    const hosted = this.hosted.get(runId);
    if (hosted) {
      this.deps.gates.declineAll(runId);
      const actor = currentActor();
      new RunControlFiles(hosted.location).requestCancel({ runId, by: `${actor.user}@${actor.host}`, via: 'vscode', at: new Date().toISOString() });
      return `Asked the run host of ${runId} to cancel it; its journal will say when it has.`;
    }
    const mine = this.active.get(runId);
    if (mine) {
      this.deps.gates.declineAll(runId);
      mine.controller.abort(new Error('cancelled from VS Code'));
      return `Cancelling run ${runId}…`;
    }
    const snapshot = await this.deps.store.read(runId);
    const holder = await this.deps.store.locks().holder(snapshot.state.plan.target);
    if (holder && holder.runId === runId && !isStale(holder, localLockHost(os.hostname()))) {
      const actor = currentActor();
      new RunControlFiles(snapshot.location).requestCancel({ runId, by: `${actor.user}@${actor.host}`, via: 'VS Code', at: new Date().toISOString() });
      return `Asked the process running ${runId} (pid ${holder.pid} on ${holder.hostname}, ${holder.user}) to cancel it; its journal will say when it has.`;
    }
    throw new Error(`Run ${runId} is not executing; there is nothing to cancel. Resume it to go on.`);
  }

  /** The live run host of a run (its target lock names the run and is held), if any. */
  private async hostHolds(state: RunState): Promise<boolean> {
    return this.holds(state.plan.target, state.runId);
  }

  private async holds(target: TargetRef, runId: string): Promise<boolean> {
    const holder = await this.deps.store.locks().holder(target).catch(() => undefined);
    return holder !== undefined && holder.runId === runId && !isStale(holder, localLockHost(os.hostname()));
  }

  /** Waits (a bounded time) until no live process holds the target for this run. */
  private async released(target: TargetRef, runId: string, timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end && (await this.holds(target, runId))) await new Promise((r) => setTimeout(r, 100));
  }

  /** Where a run host runs: the workspace folder when trusted (its .backout inventory applies), else the home folder. */
  private hostCwd(): string {
    const folder = vscode.workspace.isTrusted ? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath : undefined;
    return folder ?? os.homedir();
  }

  private hostArgs(): string[] {
    const settings = this.deps.settings();
    return ['--concurrency', String(settings.concurrency), ...(settings.stopOnFirstFailure ? [] : ['--continue-on-failure'])];
  }

  /**
   * Starts a run in a detached run host: the plan's parameters through a 0600 parameter file in a private folder
   * (removed once the host has read them), its secrets through the launcher's pipe; then attaches to it.
   */
  private async startHosted(prepared: PreparedPlan, procedureArgs: string[]): Promise<string> {
    const host = this.deps.runHost as NonNullable<RunServiceDeps['runHost']>;
    const { plan } = prepared;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-params-'));
    fs.chmodSync(dir, FOLDER_MODE);
    const file = path.join(dir, 'params.json');
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(plan.params)) if (value !== undefined && !prepared.secrets.has(name)) params[name] = String(value);
    fs.writeFileSync(file, JSON.stringify({ procedure: plan.procedure.id, params }), { mode: FILE_MODE });
    // The run host plans again: it starts only if that plan does what the one shown here (and accepted) does.
    const expected = path.join(dir, 'plan.json');
    fs.writeFileSync(expected, JSON.stringify(comparablePlan(plan)), { mode: FILE_MODE });
    try {
      const launched = await launchRunHost({
        command: host.command,
        args: ['run', plan.procedure.id, '--params-file', file, '--expect-plan', expected, ...this.hostArgs(), ...(plan.target.production ? ['--production'] : []), ...procedureArgs],
        cwd: this.hostCwd(),
        env: hostEnvironment(this.deps.store.root),
        secrets: prepared.secrets,
      });
      const run = this.follow(launched.runId, launched.location, plan.target, `${plan.procedure.title} on ${plan.target.name}`, prepared.secrets);
      this.deps.log.info(`Run ${launched.runId} started by run host pid ${launched.pid}: ${plan.procedure.title} on ${plan.target.name}`);
      // The panel and the tree read the run's plan and journal: return once the run host has written them.
      if (!(await run.recorded())) throw new Error(`The run host (pid ${launched.pid}) ended before recording run ${launched.runId}; see the Backout output.`);
      return launched.runId;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Resumes in a detached run host; a run whose host is running already is attached to, never started twice. */
  private async resumeHosted(runId: string, state: RunState, procedureArgs: string[]): Promise<string> {
    const host = this.deps.runHost as NonNullable<RunServiceDeps['runHost']>;
    const snapshot = await this.deps.store.read(runId);
    const what = `${state.plan.procedure.title} on ${state.plan.target.name}`;
    // A run that has ended (cancelled, failed) may still be held for a moment by its run host, which is exiting:
    // that is not a run in progress; wait for the lock to be released, then resume it.
    if (state.status !== 'unfinished') await this.released(state.plan.target, runId);
    else if (await this.hostHolds(state)) {
      this.follow(runId, snapshot.location, state.plan.target, what);
      this.deps.reveal(runId);
      void vscode.window.showInformationMessage(`Backout: run ${runId} is running already; this window follows it.`);
      return runId;
    }
    try {
      const launched = await launchRunHost({ command: host.command, args: ['resume', runId, ...this.hostArgs(), ...procedureArgs], cwd: this.hostCwd(), env: hostEnvironment(this.deps.store.root) });
      // The journal may end with the last session's run-finished: only what this session writes counts.
      this.follow(runId, launched.location, state.plan.target, what, undefined, { skipExisting: true });
      this.deps.log.info(`Run ${runId} resumed by run host pid ${launched.pid}`);
    } catch (err) {
      // Another process started it between the check and the launch: follow that one.
      if (!(err instanceof RunHostExitedError && err.code === 3 && (await this.hostHolds(state)))) throw err;
      this.follow(runId, snapshot.location, state.plan.target, what, undefined, { skipExisting: state.status !== 'unfinished' });
      void vscode.window.showInformationMessage(`Backout: run ${runId} is running already; this window follows it.`);
    }
    this.deps.reveal(runId);
    return runId;
  }

  /** At start-up (a reloaded or reopened window): attaches to the runs whose run host is running. */
  private async attachRunning(): Promise<void> {
    if (!this.deps.runHost) return;
    const ids = (await this.deps.store.list()).slice(-50);
    for (const runId of ids) {
      try {
        const snapshot = await this.deps.store.read(runId);
        if (snapshot.state.status !== 'unfinished' || this.isActive(runId) || !(await this.hostHolds(snapshot.state))) continue;
        this.follow(runId, snapshot.location, snapshot.state.plan.target, `${snapshot.state.plan.procedure.title} on ${snapshot.state.plan.target.name}`);
        this.deps.log.info(`Run ${runId} is running (its run host outlived the previous window): following it.`);
      } catch {
        // A damaged run folder is shown with its problem in the Runs view.
      }
    }
  }

  /** Attaches this window to a run owned by a run host. `secrets`: the ones this window was given for it. */
  private follow(runId: string, location: string, targetRef: TargetRef, what: string, secrets?: ReadonlyMap<string, string>, options: { skipExisting?: boolean } = {}): HostedRun {
    const existing = this.hosted.get(runId);
    if (existing) return existing;
    const running = new Set<string>();
    const progressMessage: { text: string; changed?: () => void } = { text: 'starting' };
    const run = new HostedRun({
      runId,
      location,
      target: targetKey(targetRef),
      ...options,
      answerer: this.answerer(runId, secrets),
      // The lock, not the run folder: a new run's folder has no plan yet while its host asks for a secret.
      hostAlive: () => this.holds(targetRef, runId),
      onChange: () => this.changed.fire({ runId }),
      onEvent: (event) => {
        this.describe(runId, event, running, progressMessage);
        this.changed.fire({ runId });
      },
    });
    this.hosted.set(runId, run);
    this.changed.fire({ runId });
    this.showProgress(runId, what, run.done, progressMessage);
    void run.done.then((end) => {
      if (this.hosted.get(runId) === run) this.hosted.delete(runId);
      this.deps.gates.declineAll(runId);
      if (end.kind === 'host-gone') {
        this.deps.log.warn(`[${runId}] the run host ended without finishing the run; Resume settles it.`);
        void vscode.window.showWarningMessage(`Backout: the run host of ${runId} ended without finishing the run. Resume it to go on.`);
      }
      if (end.kind !== 'detached') this.changed.fire({ runId });
    });
    return run;
  }

  /** The output channel's line and the status bar's text for a journal event. */
  private describe(runId: string, event: JournalEvent, running: Set<string>, progressMessage: { text: string; changed?: () => void }): void {
    if (event.type === 'step') {
      const unit = `${event.step} (${event.instance})`;
      if (event.state === 'running') running.add(unit);
      else running.delete(unit);
      progressMessage.text =
        event.state === 'awaiting-confirmation'
          ? `${event.step} waits for your confirmation in the run panel`
          : running.size > 0
            ? [...running].join(', ')
            : `${event.step} (${event.instance}): ${event.state}`;
      progressMessage.changed?.();
      this.deps.log.info(`[${runId}] ${event.step} (${event.instance}): ${event.state}${event.reason ? ` — ${event.reason}` : ''}`);
    }
    if (event.type === 'warning') this.deps.log.warn(`[${runId}] ${event.message}`);
    if (event.type === 'run-finished') this.deps.log.info(`[${runId}] run ${event.outcome}${event.reason ? ` — ${event.reason}` : ''}`);
  }

  /** How this window answers a run host: gates in the run panel, secrets and host keys in VS Code's prompts. */
  private answerer(runId: string, secrets?: ReadonlyMap<string, string>): AttachAnswerer {
    const actor = currentActor();
    const prompter = this.deps.connectPrompter ?? new VscodePrompter({ runId: () => undefined, gates: this.deps.gates, reveal: () => undefined });
    return {
      by: `${actor.user}@${actor.host}`,
      via: 'vscode',
      folder: async (q, signal) => {
        if (q.kind === 'pick') return (await prompter.pick({ title: q.title, ...(q.detail !== undefined ? { detail: q.detail } : {}), options: q.options ?? [], signal })) ?? '';
        const answer = this.deps.gates.request(
          runId,
          { title: q.title, target: q.target ?? '', ...(q.detail ? { detail: q.detail } : {}), ...(q.kind === 'typeToConfirm' ? { expected: q.expected ?? '' } : {}) },
          signal,
        );
        this.deps.reveal(runId);
        const ok = await answer;
        if (signal.aborted) return undefined;
        if (q.kind === 'confirm') return ok ? 'yes' : 'no';
        return ok ? (q.expected ?? '') : '';
      },
      socket: async (q, signal) => {
        if (q.kind === 'secret') {
          const known = q.name !== undefined ? (secrets?.get(q.name) ?? (await this.deps.storedSecret?.(q.name))) : undefined;
          if (known !== undefined) return known;
          return prompter.askSecret({ title: q.title, prompt: q.prompt, ...(q.name !== undefined ? { name: q.name } : {}), signal });
        }
        if (q.kind === 'pick') return prompter.pick({ title: q.title, ...(q.detail !== undefined ? { detail: q.detail } : {}), options: q.options, signal });
        const choice = await vscode.window.showWarningMessage(`${q.title} — ${q.target}`, { modal: true, ...(q.detail ? { detail: q.detail } : {}) }, 'Confirm');
        return choice === 'Confirm' ? 'yes' : 'no';
      },
      refused: (title, problem) => void vscode.window.showWarningMessage(`Backout: the run refused the answer to "${title}": ${problem}`),
    };
  }

  /**
   * The window is closing or reloading, and this extension host with it. A run owned by a run host goes on: this
   * window only detaches (its gates stay asked in the run folder, for the next window or `backout attach`). A run
   * executing here: a step running now is not stopped (its job outlives this process, and the next Resume waits for
   * it or reads its exit code); gates still open are declined, so no new destructive step starts; the journal says so.
   */
  override dispose(): void {
    for (const run of this.hosted.values()) run.detach();
    for (const [runId, run] of this.active) {
      this.deps.gates.declineAll(runId);
      void run.handle
        ?.hostEvent('window-closed', 'VS Code is closing or reloading: a step running now goes on as a job; Resume settles it (waits for it or reads its exit code).')
        .catch(() => undefined);
    }
    super.dispose();
  }
}
