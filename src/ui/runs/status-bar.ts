// A status bar item while runs execute in this window: how many, and a click opens the (first) run's panel.
import * as vscode from 'vscode';
import type { RunService } from './run-service';

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('backout.activeRun', vscode.StatusBarAlignment.Left, 10);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly runs: RunService) {
    this.item.name = 'Backout run';
    this.subscription = runs.onDidChange((e) => {
      if (!e.line) this.update();
    });
    this.update();
  }

  private update(): void {
    const active = this.runs.activeRuns();
    if (active.length === 0) {
      this.item.hide();
      return;
    }
    this.item.text = `$(sync~spin) Backout: ${active.length === 1 ? active[0] : `${active.length} runs`}`;
    this.item.tooltip = active.length === 1 ? `Run ${active[0]} is executing. Click to open its panel.` : `Runs executing: ${active.join(', ')}`;
    this.item.command = { command: 'backout.openRunPanel', title: 'Open Run Panel', arguments: [active[0]] };
    this.item.accessibilityInformation = { label: `Backout: ${active.length} run${active.length === 1 ? '' : 's'} executing` };
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
