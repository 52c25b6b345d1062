// Runs executed by this VS Code window, on the same engine and run folders as the CLI. Keeps only what cannot be
// derived from the journal (the AbortController of a run executing here, pending gates); everything shown comes
// from the run folder. Runs of other processes (the CLI) are picked up by watching the runs folder.
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { currentActor, systemClock } from '../../adapters/local/system';
import { targetKey } from '../../core/lock';
import type { TargetRef } from '../../core/plan';
import type { Executors } from '../../core/ports';
import type { Procedure } from '../../core/procedure';
import type { RunState } from '../../core/run-state';
import { preparePlan, resumeRun, startRun, type PreparedPlan, type RunEnvironment } from '../../core/runs';
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
}

export interface RunServiceDeps {
  store: RunStore;
  gates: GateBroker;
  executors(): Executors;
  log: vscode.LogOutputChannel;
  settings(): { concurrency: number; stopOnFirstFailure: boolean };
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
    return preparePlan(procedure, params, { executors: this.deps.executors() }, { ...(signal ? { signal } : {}), ...options });
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

  async resume(runId: string): Promise<string> {
    const { state } = await this.deps.store.read(runId);
    return this.launch((env, options) => resumeRun(env, runId, options), `run ${runId}`, targetKey(state.plan.target));
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
   * Cancels a run. One executing here is aborted (its pending gate declined); one held by another process on this
   * machine (the CLI) gets SIGINT, which the CLI handles as Ctrl-C. Returns what was done, for the message.
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
    if (holder && holder.runId === runId) {
      if (holder.hostname !== os.hostname()) {
        throw new Error(`Run ${runId} is executing on ${holder.hostname} (pid ${holder.pid}); cancel it there.`);
      }
      process.kill(holder.pid, 'SIGINT');
      return `Sent an interrupt to the process running ${runId} (pid ${holder.pid}, ${holder.user}).`;
    }
    throw new Error(`Run ${runId} is not executing; there is nothing to cancel. Resume it to go on.`);
  }

  dispose(): void {
    for (const [runId, run] of this.active) {
      this.deps.gates.declineAll(runId);
      run.controller.abort(new Error('VS Code is closing'));
    }
    this.watcher?.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
