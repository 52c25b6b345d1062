// Commands of the Targets view: refresh, choose a kubeconfig, open the kubeconfig a problem points at.
import * as vscode from 'vscode';
import { setKubeconfigSetting } from '../settings';
import type { ProblemNode, TargetNode } from '../tree/nodes';
import type { TargetsProvider } from '../tree/targets-provider';
import { fsPathOf } from './command-args';

export function registerTargetCommands(targets: TargetsProvider): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('backout.refreshTargets', () => targets.refresh()),
    vscode.commands.registerCommand('backout.chooseKubeconfig', async () => {
      const picked = await vscode.window.showOpenDialog({
        title: 'Choose the kubeconfig file(s) Backout reads',
        canSelectMany: true,
        canSelectFiles: true,
        canSelectFolders: false,
        openLabel: 'Use Kubeconfig',
      });
      if (!picked || picked.length === 0) return;
      const delimiter = process.platform === 'win32' ? ';' : ':';
      await setKubeconfigSetting(picked.map((u) => u.fsPath).join(delimiter));
      targets.refresh();
    }),
    vscode.commands.registerCommand('backout.openKubeconfig', async (arg?: unknown) => {
      const file = fileOf(arg) ?? (await targets.kubeconfigFiles())[0];
      if (!file) return;
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      await vscode.window.showTextDocument(doc, { preview: true });
    }),
  ];
}

/** The kubeconfig file an argument names: a Targets item (problem, group, context), a file URI or a path. */
function fileOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg === '' ? undefined : arg;
  const uri = fsPathOf(arg);
  if (uri) return uri;
  const node = arg as TargetNode | undefined;
  if (!node || typeof node !== 'object') return undefined;
  if (node.kind === 'problem') return (node as ProblemNode).file;
  if (node.kind === 'kube-group') return node.files[0];
  if (node.kind === 'kube-context') return node.context.file;
  return undefined;
}
