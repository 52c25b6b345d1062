// "DataMiner Systems": the DMSs of the inventory files.
import * as vscode from 'vscode';
import type { DmsGroupNode } from '../nodes';

export function dmsGroupItem(_node: DmsGroupNode): vscode.TreeItem {
  const item = new vscode.TreeItem('DataMiner Systems', vscode.TreeItemCollapsibleState.Expanded);
  item.id = 'dms-group';
  item.iconPath = new vscode.ThemeIcon('server');
  item.contextValue = 'backout.dmsGroup inventory-file';
  return item;
}
