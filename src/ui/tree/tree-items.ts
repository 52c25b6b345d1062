// Renders Targets tree nodes as TreeItems. contextValue carries several facets ("backout.kubeContext current"),
// matched by regex in package.json `when` clauses.
import * as vscode from 'vscode';
import type { TargetNode } from './nodes';

export function toTreeItem(node: TargetNode): vscode.TreeItem {
  switch (node.kind) {
    case 'kube-group': {
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
    case 'kube-context': {
      const c = node.context;
      const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.None);
      item.id = `kube-context:${c.name}`;
      item.description = [c.current ? 'current' : undefined, c.server ?? 'no cluster'].filter(Boolean).join(' · ');
      item.iconPath = new vscode.ThemeIcon(c.server ? 'server-environment' : 'warning');
      const md = new vscode.MarkdownString();
      md.appendMarkdown(`**${escapeMd(c.name)}**${c.current ? ' (current context)' : ''}\n\n`);
      md.appendMarkdown(`- Cluster: \`${c.cluster}\` ${c.server ? `— ${escapeMd(c.server)}` : '— not defined in any kubeconfig file'}\n`);
      md.appendMarkdown(`- User: \`${c.user}\`\n`);
      if (c.namespace) md.appendMarkdown(`- Namespace: \`${c.namespace}\`\n`);
      md.appendMarkdown(`- From: \`${c.file}\`\n`);
      item.tooltip = md;
      item.accessibilityInformation = { label: `Kubernetes context ${c.name}${c.current ? ', current' : ''}, server ${c.server ?? 'not defined'}` };
      item.contextValue = `backout.kubeContext${c.current ? ' current' : ''}`;
      return item;
    }
    case 'problem': {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.id = `problem:${node.label}`;
      item.description = node.summary;
      item.tooltip = new vscode.MarkdownString(escapeMd(node.message));
      item.iconPath = new vscode.ThemeIcon(
        node.severity === 'error' ? 'error' : 'warning',
        new vscode.ThemeColor(node.severity === 'error' ? 'problemsErrorIcon.foreground' : 'problemsWarningIcon.foreground'),
      );
      item.accessibilityInformation = { label: `${node.severity}: ${node.label}. ${node.message}` };
      if (node.file) {
        item.contextValue = 'backout.problem kubeconfig-file';
        item.command = { command: 'backout.openKubeconfig', title: 'Open Kubeconfig File', arguments: [node] };
      } else {
        item.contextValue = 'backout.problem';
      }
      return item;
    }
  }
}

function shortPath(p: string): string {
  const home = process.env.HOME ?? process.env.USERPROFILE;
  return home && p.startsWith(home) ? `~${p.slice(home.length)}` : p;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (m) => `\\${m}`);
}
