// A status bar item while runs execute in this window: how many, and a click opens the (first) run's panel.
import * as vscode from 'vscode';
import { Disposable } from '../disposable';
import type { GateBroker } from './gates';
import type { RunService } from './run-service';

export class RunStatusBar extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem('backout.activeRun', vscode.StatusBarAlignment.Left, 10));

  constructor(
    private readonly runs: RunService,
    private readonly gates?: GateBroker,
  ) {
    super();
    this.item.name = 'Backout run';
    this.register(
      runs.onDidChange((e) => {
        if (!e.line) this.update();
      }),
    );
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
}
