// Something the user must fix, with the file to open when there is one.
import * as vscode from 'vscode';
import { escapeMd } from '../markdown';
import type { ProblemNode } from '../nodes';

export function problemItem(node: ProblemNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
  item.id = `problem:${node.label}`;
  item.description = node.summary;
  item.tooltip = new vscode.MarkdownString(escapeMd(node.message));
  item.iconPath = new vscode.ThemeIcon(
    node.severity === 'error' ? 'error' : 'warning',
    new vscode.ThemeColor(node.severity === 'error' ? 'problemsErrorIcon.foreground' : 'problemsWarningIcon.foreground'),
  );
  item.accessibilityInformation = { label: `${node.severity}: ${node.label}. ${node.message}` };
  if (node.file && node.fileKind === 'inventory') {
    item.contextValue = 'backout.problem inventory-file';
    item.command = { command: 'backout.openInventory', title: 'Open DMS Inventory', arguments: [node.file] };
  } else if (node.file) {
    item.contextValue = 'backout.problem kubeconfig-file';
    item.command = { command: 'backout.openKubeconfig', title: 'Open Kubeconfig File', arguments: [node] };
  } else {
    item.contextValue = 'backout.problem';
  }
  return item;
}
