// Every error a command shows goes through here: to the log, to the user, and to listeners (the contract test checks
// that invoking a command the way VS Code does reports nothing).
import * as vscode from 'vscode';
import { Disposable } from './disposable';

export class ErrorReports extends Disposable {
  private readonly reported = this.register(new vscode.EventEmitter<string>());
  readonly onDidReport = this.reported.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    super();
  }

  show(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.log.error(message);
    this.reported.fire(message);
    void vscode.window.showErrorMessage(`Backout: ${message}`);
  }
}
