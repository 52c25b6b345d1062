// Renders Targets tree nodes as TreeItems: each built-in kind by its own file in items/, a procedure's detail line
// by the procedure's contribution. contextValue carries several facets ("backout.kubeContext current"), matched by
// regex in package.json `when` clauses.
import type * as vscode from 'vscode';
import { agentItem } from './items/agent-item';
import { dmsGroupItem } from './items/dms-group-item';
import { dmsItem } from './items/dms-item';
import { kubeContextItem } from './items/kube-context-item';
import { kubeGroupItem } from './items/kube-group-item';
import { problemItem } from './items/problem-item';
import { isDetailNode, type BuiltInNode, type TargetNode } from './nodes';

type Renderers = { [K in BuiltInNode['kind']]: (node: Extract<BuiltInNode, { kind: K }>) => vscode.TreeItem };

const RENDERERS: Renderers = {
  'kube-group': kubeGroupItem,
  'kube-context': kubeContextItem,
  'dms-group': dmsGroupItem,
  dms: dmsItem,
  agent: agentItem,
  problem: problemItem,
};

export function toTreeItem(node: TargetNode): vscode.TreeItem {
  if (isDetailNode(node)) return node.detail.render(node.target, node.status);
  return (RENDERERS[node.kind] as (n: BuiltInNode) => vscode.TreeItem)(node);
}
