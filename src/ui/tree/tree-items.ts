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
    case 'ondat': {
      const st = node.status;
      const label =
        st.state === 'checking'
          ? 'Ondat: checking…'
          : st.state === 'absent'
            ? 'No Ondat found'
            : st.state === 'error'
              ? 'Ondat: cannot read the cluster'
              : `Ondat ${[...new Set(st.clusters.map((c) => c.version ?? 'version unknown'))].join(', ')}`;
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
      item.id = `ondat:${node.context}`;
      if (st.state === 'found') item.description = st.clusters.map((c) => `${c.namespace}/${c.name}${c.phase ? ` (${c.phase})` : ''}`).join(', ');
      if (st.state === 'error') {
        item.description = st.error;
        item.tooltip = st.error;
      }
      item.iconPath = new vscode.ThemeIcon(st.state === 'checking' ? 'loading~spin' : st.state === 'error' ? 'warning' : 'database');
      item.contextValue = `backout.ondat ${st.state}`;
      return item;
    }
    case 'dms-group': {
      const item = new vscode.TreeItem('DataMiner Systems', vscode.TreeItemCollapsibleState.Expanded);
      item.id = 'dms-group';
      item.iconPath = new vscode.ThemeIcon('server');
      item.contextValue = 'backout.dmsGroup inventory-file';
      return item;
    }
    case 'dms': {
      const d = node.dms;
      const item = new vscode.TreeItem(d.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `dms:${d.name}`;
      item.description = [d.production ? 'production' : undefined, `${d.agents.length} Agent${d.agents.length === 1 ? '' : 's'}`, d.description].filter(Boolean).join(' · ');
      item.iconPath = new vscode.ThemeIcon('server-environment', d.production ? new vscode.ThemeColor('problemsErrorIcon.foreground') : undefined);
      const md = new vscode.MarkdownString(`**DMS ${escapeMd(d.name)}**${d.production ? ' — production: destructive steps need its name typed' : ''}\n\n`);
      md.appendMarkdown(`From \`${d.source.file}\` (${d.source.scope})\n\n`);
      for (const a of d.agents) md.appendMarkdown(`- ${escapeMd(a.name)}: ${escapeMd(a.sshAlias ? `ssh alias ${a.sshAlias}` : `${a.user ?? ''}@${a.host ?? ''}${a.port ? `:${a.port}` : ''}`)}\n`);
      item.tooltip = md;
      item.contextValue = `backout.dms${d.production ? ' production' : ''} inventory-file`;
      item.accessibilityInformation = { label: `DataMiner System ${d.name}${d.production ? ', production' : ''}, ${d.agents.length} Agents` };
      return item;
    }
    case 'agent': {
      const a = node.agent;
      const item = new vscode.TreeItem(a.name, vscode.TreeItemCollapsibleState.None);
      item.id = `agent:${node.dms}/${a.name}`;
      const where = a.sshAlias ? a.sshAlias : `${a.host ?? ''}${a.port ? `:${a.port}` : ''}`;
      const st = node.status;
      const state =
        st.state === 'reachable' ? `DataMiner ${st.version ?? 'version unknown'}` : st.state === 'unreachable' ? 'unreachable' : st.state === 'checking' ? 'checking…' : '';
      item.description = [state, where].filter(Boolean).join(' · ');
      item.iconPath =
        st.state === 'reachable'
          ? new vscode.ThemeIcon('vm-running', new vscode.ThemeColor('testing.iconPassed'))
          : st.state === 'unreachable'
            ? new vscode.ThemeIcon('vm-outline', new vscode.ThemeColor('problemsErrorIcon.foreground'))
            : st.state === 'checking'
              ? new vscode.ThemeIcon('loading~spin')
              : new vscode.ThemeIcon('vm');
      item.tooltip = new vscode.MarkdownString(
        `**Agent ${escapeMd(a.name)}** of DMS ${escapeMd(node.dms)}\n\n${st.state === 'unreachable' ? `Unreachable: ${escapeMd(st.error)}` : st.state === 'reachable' ? `DataMiner ${escapeMd(st.version ?? 'unknown')}${st.shell ? `, DefaultShell ${st.shell}` : ''}` : ''}`,
      );
      item.contextValue = `backout.agent ${st.state}`;
      item.accessibilityInformation = { label: `Agent ${a.name}, ${state || 'not checked'}` };
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
  }
}

function shortPath(p: string): string {
  const home = process.env.HOME ?? process.env.USERPROFILE;
  return home && p.startsWith(home) ? `~${p.slice(home.length)}` : p;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (m) => `\\${m}`);
}
