// A DMS of the inventory: its Agents, whether it is production, the file it comes from.
import * as vscode from 'vscode';
import { escapeMd } from '../markdown';
import type { DmsNode } from '../nodes';

export function dmsItem(node: DmsNode): vscode.TreeItem {
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
