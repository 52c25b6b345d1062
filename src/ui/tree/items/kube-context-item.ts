// A Kubernetes context: its cluster's server, user and namespace, and whether it is the current context.
import * as vscode from 'vscode';
import { escapeMd } from '../markdown';
import type { KubeContextNode } from '../nodes';

export function kubeContextItem(node: KubeContextNode): vscode.TreeItem {
  const c = node.context;
  const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.Collapsed);
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
