// The Targets view: Kubernetes contexts (and, as procedures land, DataMiner Systems). Reading happens off the UI
// path: getChildren awaits the lazily loaded adapter, and refresh only fires the change event.
import * as vscode from 'vscode';
import { kubeconfigFiles } from '../../adapters/kube/kubeconfig-files';
import { loadKube } from '../../adapters/lazy';
import { kubeconfigSetting } from '../settings';
import { kubeNodes, type KubeconfigOutcome } from './kube-nodes';
import type { TargetNode } from './nodes';
import { toTreeItem } from './tree-items';

export class TargetsProvider implements vscode.TreeDataProvider<TargetNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TargetNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: Promise<TargetNode[]> | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  refresh(): void {
    this.roots = undefined;
    this.changed.fire(undefined);
  }

  getTreeItem(node: TargetNode): vscode.TreeItem {
    return toTreeItem(node);
  }

  getChildren(node?: TargetNode): Promise<TargetNode[]> | TargetNode[] {
    if (!node) {
      this.roots ??= this.loadRoots();
      return this.roots;
    }
    return node.kind === 'kube-group' ? node.children : [];
  }

  /** The files the current kubeconfig comes from, for the file watcher (without loading client-node). */
  async kubeconfigFiles(): Promise<string[]> {
    return kubeconfigFiles({ setting: kubeconfigSetting() }).files;
  }

  private async loadRoots(): Promise<TargetNode[]> {
    const started = Date.now();
    const kube = await loadKube();
    const source = kube.kubeconfigFiles({ setting: kubeconfigSetting() });
    let outcome: KubeconfigOutcome;
    try {
      outcome = { ok: true, loaded: kube.loadKubeconfig(source) };
      this.log.info(`Targets: ${outcome.loaded.contexts.length} Kubernetes context(s) from ${source.files.join(', ')} in ${Date.now() - started} ms`);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      const missing = (error as { problem?: string }).problem === 'missing';
      if (!missing || source.origin !== 'default') this.log.warn(`Targets: ${error.message}`);
      outcome = { ok: false, source, error, missing };
    }
    return kubeNodes(outcome);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
