// Turns the loaded DMS inventory into Targets tree nodes. Pure (no vscode), so unit tests cover it.
import type { LoadedInventory } from '../../adapters/store/inventory-load';
import type { LoadedDms } from '../../adapters/store/inventory-types';
import type { AgentNode, AgentStatus, DmsGroupNode, ProblemNode, TargetNode } from './nodes';
import * as path from 'path';

export function dmsGroup(inventory: LoadedInventory, ignoredForTrust: boolean): DmsGroupNode | undefined {
  const children: TargetNode[] = inventory.systems.map((dms) => ({ kind: 'dms', dms }));
  for (const p of inventory.problems) {
    const problem: ProblemNode = {
      kind: 'problem',
      severity: 'error',
      label: 'Invalid inventory',
      summary: `${path.basename(p.file)}: ${p.entry}`,
      message: `${p.file} ${p.entry}${p.pointer ? ` (${p.pointer})` : ''}: ${p.message}. ${p.fix ? `Fix: ${p.fix}.` : ''}`.trim(),
      file: p.file,
      fileKind: 'inventory',
    };
    children.push(problem);
  }
  for (const s of inventory.shadowed) {
    children.push({
      kind: 'problem',
      severity: 'warning',
      label: `DMS "${s.name}" defined twice`,
      summary: 'the workspace entry is ignored',
      message: `DMS "${s.name}" of ${s.workspaceFile} is ignored: ${s.userFile} defines a DMS of that name, and a workspace cannot replace it. Rename one of them.`,
      file: s.workspaceFile,
      fileKind: 'inventory',
    });
  }
  if (ignoredForTrust) {
    children.push({
      kind: 'problem',
      severity: 'warning',
      label: 'Workspace inventory ignored',
      summary: 'workspace not trusted',
      message: 'This workspace is not trusted, so its .backout/inventory.json is not read: a cloned repository cannot add or redirect Agents. Trust the workspace to use it.',
    });
  }
  return children.length > 0 ? { kind: 'dms-group', children } : undefined;
}

export function agentNodes(dms: LoadedDms, statuses: ReadonlyMap<string, AgentStatus>): AgentNode[] {
  return dms.agents.map((agent) => ({
    kind: 'agent',
    dms: dms.name,
    production: dms.production,
    agent,
    status: statuses.get(agent.name) ?? { state: 'unknown' },
  }));
}
