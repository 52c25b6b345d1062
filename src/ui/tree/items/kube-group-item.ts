// "Kubernetes": the contexts of the kubeconfig, and the files they were read from.
import * as vscode from 'vscode';
import { shortPath } from '../markdown';
import type { KubeGroupNode } from '../nodes';

export function kubeGroupItem(node: KubeGroupNode): vscode.TreeItem {
  const item = new vscode.TreeItem('Kubernetes', vscode.TreeItemCollapsibleState.Expanded);
  item.id = 'kube-group';
  item.iconPath = new vscode.ThemeIcon('cloud');
  item.description = node.files.length === 1 ? shortPath(node.files[0]) : `${node.files.length} kubeconfig files`;
  item.tooltip = new vscode.MarkdownString(
    `Contexts read from ${node.origin}:\n\n${node.files.map((f) => `- \`${f}\``).join('\n')}\n\nBackout never changes the current context.`,
  );
  item.contextValue = 'backout.kubeGroup kubeconfig-file';
  return item;
}
