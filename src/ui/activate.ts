// Builds the extension's UI from its parts. Called by the composition root; returns the API the tests use.
import * as vscode from 'vscode';
import { registerTargetCommands } from './commands/targets';
import { KubeconfigWatcher } from './kubeconfig-watcher';
import { TargetsProvider } from './tree/targets-provider';

export interface BackoutApi {
  targets: TargetsProvider;
}

export function activateUi(context: vscode.ExtensionContext): BackoutApi {
  const log = vscode.window.createOutputChannel('Backout', { log: true });
  const targets = new TargetsProvider(log);
  const targetsView = vscode.window.createTreeView('backout.targets', { treeDataProvider: targets, showCollapseAll: true });
  context.subscriptions.push(log, targets, targetsView, new KubeconfigWatcher(targets), ...registerTargetCommands(targets));
  return { targets };
}
