// Runs executed by this VS Code window, on the same engine and run folders as the CLI. Keeps only what cannot be
// derived from the journal (the AbortController of a run executing here, pending gates); everything shown comes
// from the run folder. Runs of other processes (the CLI) are picked up by watching the runs folder.
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
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
}

export class RunService implements vscode.Disposable {
  private readonly active = new Map<string, ActiveRun>();
  private readonly changed = new vscode.EventEmitter<RunEvent>();
  readonly onDidChange = this.changed.event;
  private watcher: vscode.FileSystemWatcher | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly deps: RunServiceDeps) {
    this.subscriptions.push(
      deps.gates.onDidChange((runId) => this.changed.fire({ runId })),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('backout.runsDirectory')) return;
        this.watchRunsFolder();
        this.changed.fire({ runId: '' });
      }),
    );
    this.watchRunsFolder();
  }

  /** Journals written by other processes (the CLI, another window): their views refresh as they change. */
  private watchRunsFolder(): void {
    this.watcher?.dispose();
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(this.deps.store.root), '*/journal.jsonl'));
    const external = (uri: vscode.Uri) => {
      const runId = path.basename(path.dirname(uri.fsPath));
      if (!this.active.has(runId)) this.changed.fire({ runId });
    };
    watcher.onDidChange(external);
    watcher.onDidCreate(external);
    this.watcher = watcher;
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  activeRuns(): string[] {
    return [...this.active.keys()];
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
    return this.launch((env, options) => startRun(env, prepared, options), `${prepared.plan.procedure.title} on ${prepared.plan.target.name}`, targetKey(prepared.plan.target));
  }

  /**
   * Resumes a run. One that is running already (here: a second click on Resume; or in another process: the CLI) is
   * not run a second time: its panel is shown, following its journal.
   */
  async resume(runId: string): Promise<string> {
    if (this.active.has(runId)) {
      this.deps.reveal(runId);
      return runId;
    }
    const { state } = await this.deps.store.read(runId);
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
          }
          if (ref.id) this.changed.fire({ runId: ref.id });
          if (event.type === 'step') this.deps.log.info(`[${ref.id}] ${event.step} (${event.instance}): ${event.state}${event.reason ? ` — ${event.reason}` : ''}`);
          if (event.type === 'run-finished') this.deps.log.info(`[${ref.id}] run ${event.outcome}${event.reason ? ` — ${event.reason}` : ''}`);
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
  private showProgress(runId: string, what: string, done: Promise<RunState>, message: { text: string; changed?: () => void }): void {
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
    return this.active.get(runId)?.done.catch(() => undefined);
  }

  /**
   * Cancels a run. One executing here is aborted (its pending gate declined); one run by another process (the CLI)
   * is asked to cancel through a request in its run folder, which that process checks and honours. No process is
   * ever signalled: a pid in a lock file may name another process by now. Returns what was done, for the message.
   */
  async cancel(runId: string): Promise<string> {
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

  /**
   * The window is closing or reloading, and this extension host with it. A step running now is not stopped: its job
   * outlives this process, and the next Resume waits for it or reads its exit code (never runs it twice). Gates still
   * open are declined, so no new destructive step starts; the journal says what happened.
   */
  dispose(): void {
    for (const [runId, run] of this.active) {
      this.deps.gates.declineAll(runId);
      void run.handle
        ?.hostEvent('window-closed', 'VS Code is closing or reloading: a step running now goes on as a job; Resume settles it (waits for it or reads its exit code).')
        .catch(() => undefined);
    }
    this.watcher?.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
