// A status bar item while runs execute in this window: how many, and a click opens the (first) run's panel.
import * as vscode from 'vscode';
import type { GateBroker } from './gates';
import type { RunService } from './run-service';

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('backout.activeRun', vscode.StatusBarAlignment.Left, 10);
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly runs: RunService,
    private readonly gates?: GateBroker,
  ) {
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
    const waiting = active.filter((id) => this.gates?.gateOf(id) !== undefined);
    const first = waiting[0] ?? active[0];
    this.item.text =
      waiting.length > 0
        ? `$(bell-dot) Backout: ${waiting.length === 1 ? `${first} waits for you` : `${waiting.length} runs wait for you`}`
        : `$(sync~spin) Backout: ${active.length === 1 ? active[0] : `${active.length} runs`}`;
    this.item.tooltip = waiting.length > 0 ? `Run ${first} waits for your confirmation. Click to open its panel.` : active.length === 1 ? `Run ${active[0]} is executing. Click to open its panel.` : `Runs executing: ${active.join(', ')}`;
    this.item.backgroundColor = waiting.length > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.command = { command: 'backout.openRunPanel', title: 'Open Run Panel', arguments: [first] };
    this.item.accessibilityInformation = { label: `Backout: ${active.length} run${active.length === 1 ? '' : 's'} executing` };
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
