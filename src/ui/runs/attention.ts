// Attention where it belongs: the Runs view's badge counts the runs waiting for a person (a gate open in this window),
// and a gate that opens while its run's panel is not visible brings a notification offering to open it.
import * as vscode from 'vscode';
import { Disposable } from '../disposable';
import type { GateBroker } from './gates';

export interface AttentionDeps {
  gates: GateBroker;
  runsView: vscode.TreeView<unknown>;
  /** Whether the run's panel is open and visible now. */
  panelVisible(runId: string): boolean;
  openPanel(runId: string): void;
}

export class RunAttention extends Disposable {
  /** Gates already announced, so one gate brings one notification. */
  private readonly announced = new Set<string>();

  constructor(private readonly deps: AttentionDeps) {
    super();
    this.register(deps.gates.onDidChange((runId) => this.changed(runId)));
    this.updateBadge();
  }

  private changed(runId: string): void {
    this.updateBadge();
    const gate = this.deps.gates.gateOf(runId);
    if (!gate || this.announced.has(gate.id)) return;
    this.announced.add(gate.id);
    // The prompter reveals the panel; it may still be hidden (another editor group took focus, the window was away).
    setTimeout(() => {
      if (this.disposed) return;
      if (this.deps.gates.gateOf(runId)?.id !== gate.id || this.deps.panelVisible(runId)) return;
      const open = 'Open Run Panel';
      void vscode.window.showWarningMessage(`Backout: run ${runId} waits for your confirmation: ${gate.title}`, open).then((answer) => {
        if (answer === open) this.deps.openPanel(runId);
      });
    }, 500);
  }

  private updateBadge(): void {
    const waiting = this.deps.gates.waitingRuns();
    this.deps.runsView.badge =
      waiting.length === 0 ? undefined : { value: waiting.length, tooltip: `${waiting.length} run${waiting.length === 1 ? '' : 's'} waiting for your confirmation` };
  }
}
