// The run panel: one webview per run, showing the plan as a steps × instances matrix with live state, the pending
// gate, and a bounded tail of the selected cell's log. It reads the run folder, so a run started from the CLI shows
// just as well; it is restored after a window reload by the serializer registered in activate.
import * as vscode from 'vscode';
import { unitKey, type Plan } from '../../core/plan';
import { initialState } from '../../core/run-state';
import { Disposable } from '../disposable';
import type { GateBroker } from '../runs/gates';
import type { RunService } from '../runs/run-service';
import type { RunStore } from '../runs/run-store';
import { panelHtml } from './html';
import { isPanelMessage, TAIL_LINES, type HostMessage, type PanelMessage, type RunView } from './protocol';
import { tailOf, toRunView } from './run-view';

export const PANEL_VIEW_TYPE = 'backout.runPanel';

export interface PanelDeps {
  extensionUri: vscode.Uri;
  store: RunStore;
  runs: RunService;
  gates: GateBroker;
  log: vscode.LogOutputChannel;
}

type Source = { kind: 'run'; runId: string } | { kind: 'plan'; plan: Plan; key: string };

export class RunPanel extends Disposable {
  private static readonly open = new Map<string, RunPanel>();
  private ready = false;
  private selected: { step: string; instance: string } | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private lastView: RunView | undefined;

  /** Shows (or reveals) the panel of a run. */
  static show(deps: PanelDeps, runId: string): RunPanel {
    const existing = RunPanel.open.get(runId);
    if (existing) {
      existing.panel.reveal(undefined, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, `Run ${runId}`, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, RunPanel.options(deps));
    return new RunPanel(panel, deps, { kind: 'run', runId });
  }

  /** Shows a dry run: the plan with every command as it would be sent, executing nothing. */
  static showPlan(deps: PanelDeps, plan: Plan): RunPanel {
    const key = `dry-run:${plan.procedure.id}:${plan.target.name}:${Date.now()}`;
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, `Dry run: ${plan.procedure.title}`, vscode.ViewColumn.Active, RunPanel.options(deps));
    return new RunPanel(panel, deps, { kind: 'plan', plan, key });
  }

  /** Re-attaches a panel VS Code restored after a reload. */
  static restore(deps: PanelDeps, panel: vscode.WebviewPanel, state: unknown): RunPanel | undefined {
    const runId = typeof state === 'object' && state !== null ? (state as { runId?: unknown }).runId : undefined;
    if (typeof runId !== 'string' || runId.startsWith('dry-run')) {
      panel.dispose();
      return undefined;
    }
    panel.webview.options = RunPanel.options(deps);
    return new RunPanel(panel, deps, { kind: 'run', runId });
  }

  static forRun(runId: string): RunPanel | undefined {
    return RunPanel.open.get(runId);
  }

  static all(): RunPanel[] {
    return [...RunPanel.open.values()];
  }

  private static options(deps: PanelDeps): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(deps.extensionUri, 'dist'), vscode.Uri.joinPath(deps.extensionUri, 'media')],
    };
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: PanelDeps,
    private readonly source: Source,
  ) {
    super();
    RunPanel.open.set(this.key, this);
    // Disposed last: the listeners and timers registered below go first.
    this.register(panel);
    this.register({
      dispose: () => {
        clearTimeout(this.refreshTimer);
        clearInterval(this.pollTimer);
      },
    });
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'backout.svg');
    panel.webview.html = panelHtml(panel.webview, deps.extensionUri, panel.title);
    this.register(panel.onDidDispose(() => this.dispose()));
    this.register(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isPanelMessage(m)) void this.receive(m);
        else deps.log.warn(`Run panel: ignored an unknown message ${JSON.stringify(m).slice(0, 200)}`);
      }),
    );
    if (source.kind === 'run') {
      this.register(
        deps.runs.onDidChange((e) => {
          if (e.runId !== source.runId) return;
          if (e.line && this.selected && e.line.step === this.selected.step && e.line.instance === this.selected.instance) {
            this.post({ type: 'lines', step: e.line.step, instance: e.line.instance, lines: [`${new Date().toISOString()} ${e.line.stream.padEnd(6)} ${e.line.text}`] });
          }
          if (!e.line) this.scheduleRefresh();
        }),
      );
    }
  }

  get key(): string {
    return this.source.kind === 'run' ? this.source.runId : this.source.key;
  }

  /** The last view posted (tests read it). */
  get view(): RunView | undefined {
    return this.lastView;
  }

  private post(message: HostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private async receive(m: PanelMessage): Promise<void> {
    try {
      switch (m.type) {
        case 'ready':
          this.ready = true;
          await this.refresh();
          return;
        case 'select':
          this.selected = { step: m.step, instance: m.instance };
          await this.sendTail();
          return;
        case 'openLog':
          if (this.source.kind === 'run') await vscode.commands.executeCommand('backout.openStepLog', { runId: this.source.runId, step: m.step, instance: m.instance });
          return;
        case 'confirmGate': {
          const problem = this.deps.gates.confirm(m.gateId, m.typed);
          if (problem) this.post({ type: 'error', message: problem });
          return;
        }
        case 'declineGate':
          this.deps.gates.decline(m.gateId);
          return;
        case 'cancelRun':
          if (this.source.kind === 'run') await vscode.commands.executeCommand('backout.cancelRun', this.source.runId);
          return;
        case 'resumeRun':
          if (this.source.kind === 'run') await vscode.commands.executeCommand('backout.resumeRun', this.source.runId);
          return;
        case 'exportReport':
          if (this.source.kind === 'run') await vscode.commands.executeCommand('backout.exportRunReport', this.source.runId);
          return;
        // From review to run (plan-actions.ts): the dry run's plan, or the finished run's, goes back to the commands.
        case 'startFromPlan':
          if (this.source.kind === 'plan') await vscode.commands.executeCommand('backout.startReviewedPlan', this.source.plan);
          return;
        case 'replanWith':
          if (this.source.kind === 'plan') {
            // The new plan replaces this one: one dry-run panel per question asked.
            const replanned = await vscode.commands.executeCommand('backout.planAgainWith', this.source.plan, m.parameter, m.value);
            if (replanned) this.panel.dispose();
          }
          return;
        case 'saveParameters':
          if (this.source.kind === 'plan') await vscode.commands.executeCommand('backout.saveParameters', this.source.plan);
          else await vscode.commands.executeCommand('backout.saveParameters', this.source.runId);
          return;
        case 'runAgain':
          if (this.source.kind === 'run') await vscode.commands.executeCommand('backout.runAgain', this.source.runId);
          return;
      }
    } catch (err) {
      this.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refresh();
    }, 50);
  }

  /** Reads the run again and posts its view, and the tail of the selected cell. */
  async refresh(): Promise<void> {
    try {
      const view = await this.buildView();
      this.lastView = view;
      this.post({ type: 'run', view });
      if (!this.selected) {
        const first = view.steps.flatMap((s) => s.cells).find((c) => c.state === 'running' || c.state === 'awaiting-confirmation' || c.state === 'failed') ?? view.steps[0]?.cells[0];
        if (first) this.selected = { step: first.step, instance: first.instance };
      }
      await this.sendTail();
      this.pollWhileElsewhere(view);
    } catch (err) {
      this.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  private async buildView(): Promise<RunView> {
    if (this.source.kind === 'plan') return toRunView(initialState('dry-run', this.source.plan), { activeHere: false, dryRun: true });
    const runId = this.source.runId;
    const snapshot = await this.deps.store.read(runId);
    const activeHere = this.deps.runs.isActive(runId);
    let activeElsewhere: string | undefined;
    if (!activeHere && snapshot.state.status === 'unfinished') {
      const holder = await this.deps.store.locks().holder(snapshot.state.plan.target).catch(() => undefined);
      if (holder?.runId === runId) activeElsewhere = `${holder.user}@${holder.hostname} (pid ${holder.pid})`;
    }
    const gate = this.deps.gates.gateOf(runId);
    const view = toRunView(snapshot.state, { activeHere, ...(activeElsewhere ? { activeElsewhere } : {}), ...(gate ? { gate } : {}) });
    if (snapshot.tornLine) view.warnings.push(`The journal's last line (line ${snapshot.tornLine.line}) was cut short by an interruption and is ignored.`);
    return view;
  }

  private pollWhileElsewhere(view: RunView): void {
    // A run of another process writes its logs more often than its journal: poll the tail while it runs.
    if (view.activeElsewhere && !this.pollTimer) {
      this.pollTimer = setInterval(() => void this.sendTail(), 1000);
    } else if (!view.activeElsewhere && this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
  }

  private async sendTail(): Promise<void> {
    const sel = this.selected;
    if (!sel) return;
    if (this.source.kind === 'plan') {
      const step = this.source.plan.steps.find((s) => s.id === sel.step);
      const inst = step?.instances.find((i) => i.instance === sel.instance);
      if (!step || !inst) return;
      this.post({ type: 'tail', tail: { step: sel.step, instance: sel.instance, lines: [], truncated: false } });
      return;
    }
    const text = (await this.deps.store.readLog(this.source.runId, sel.step, sel.instance).catch(() => undefined)) ?? '';
    const { lines, truncated } = tailOf(text, TAIL_LINES);
    this.post({ type: 'tail', tail: { step: sel.step, instance: sel.instance, lines, truncated } });
  }

  /** Which cell is selected (tests). */
  get selection(): string | undefined {
    return this.selected ? unitKey(this.selected.step, this.selected.instance) : undefined;
  }

  override dispose(): void {
    if (this.disposed) return;
    RunPanel.open.delete(this.key);
    super.dispose();
  }
}
