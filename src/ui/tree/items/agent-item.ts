// An Agent of a DMS: what was read from it (DataMiner version, DefaultShell) or why it cannot be reached.
import * as vscode from 'vscode';
import { escapeMd } from '../markdown';
import type { AgentNode } from '../nodes';

export function agentItem(node: AgentNode): vscode.TreeItem {
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
