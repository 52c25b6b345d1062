// Refreshes the Targets view when a kubeconfig file it reads changes on disk, or when the setting changes.
import * as path from 'path';
import * as vscode from 'vscode';
import { affectsKubeconfig } from './settings';
import type { TargetsProvider } from './tree/targets-provider';

export class KubeconfigWatcher implements vscode.Disposable {
  private watchers: vscode.Disposable[] = [];
  private readonly configListener: vscode.Disposable;

  constructor(private readonly targets: TargetsProvider) {
    this.configListener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!affectsKubeconfig(e)) return;
      targets.refresh();
      void this.watch();
    });
    void this.watch();
  }

  private async watch(): Promise<void> {
    this.disposeWatchers();
    const files = await this.targets.kubeconfigFiles();
    for (const file of files) {
      const watcher = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)),
      );
      const refresh = () => this.targets.refresh();
      watcher.onDidChange(refresh);
      watcher.onDidCreate(refresh);
      watcher.onDidDelete(refresh);
      this.watchers.push(watcher);
    }
  }

  private disposeWatchers(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
  }

  dispose(): void {
    this.disposeWatchers();
    this.configListener.dispose();
  }
}
