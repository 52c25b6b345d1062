// Refreshes the Targets view when a kubeconfig file it reads changes on disk, or when the setting changes.
import * as path from 'path';
import * as vscode from 'vscode';
import { Disposable, DisposableGroup } from './disposable';
import { affectsKubeconfig } from './settings';
import type { TargetsProvider } from './tree/targets-provider';

export class KubeconfigWatcher extends Disposable {
  private readonly watchers = this.register(new DisposableGroup());

  constructor(private readonly targets: TargetsProvider) {
    super();
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!affectsKubeconfig(e)) return;
        targets.refresh();
        void this.watch();
      }),
    );
    void this.watch();
  }

  private async watch(): Promise<void> {
    this.watchers.clear();
    const files = await this.targets.kubeconfigFiles();
    if (this.disposed) return;
    this.watchers.replace(
      files.map((file) => {
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
        const refresh = () => this.targets.refresh();
        watcher.onDidChange(refresh);
        watcher.onDidCreate(refresh);
        watcher.onDidDelete(refresh);
        return watcher;
      }),
    );
  }
}
