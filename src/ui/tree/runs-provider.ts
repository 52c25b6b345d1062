// The Runs view: every run in the runs folder (this window's, the CLI's, other windows'), newest first → its steps
// → one log per instance. Everything is read from the run folders.
import * as vscode from 'vscode';
import { formatDuration } from '../../core/abort';
import { Disposable } from '../disposable';
import type { RunService } from '../runs/run-service';
import type { RunStore } from '../runs/run-store';
import { logNodes, runNode, stepNodes, type RunsNode } from './run-nodes';

const STATE_ICON: Record<string, [string, string | undefined]> = {
  planned: ['circle-large-outline', undefined],
  'awaiting-confirmation': ['question', 'editorWarning.foreground'],
  running: ['sync~spin', 'progressBar.background'],
  succeeded: ['pass-filled', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  skipped: ['debug-step-over', 'disabledForeground'],
  cancelled: ['circle-slash', 'disabledForeground'],
  unfinished: ['debug-pause', 'editorWarning.foreground'],
  'not-started': ['circle-large-outline', undefined],
};

function stateIcon(state: string): vscode.ThemeIcon {
  const [id, color] = STATE_ICON[state] ?? ['circle-large-outline', undefined];
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

export class RunsProvider extends Disposable implements vscode.TreeDataProvider<RunsNode> {
  private readonly changed = this.register(new vscode.EventEmitter<RunsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: RunStore,
    private readonly runs: RunService,
  ) {
    super();
    this.register({ dispose: () => clearTimeout(this.timer) });
    this.register(
      runs.onDidChange((e) => {
        if (!e.line) this.refreshSoon();
      }),
    );
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  private refreshSoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, 150);
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (!node) {
      const ids = (await this.store.list()).reverse();
      const nodes: RunsNode[] = [];
      for (const runId of ids) {
        try {
          const { state } = await this.store.read(runId);
          nodes.push(runNode(state, this.runs.isActive(runId)));
        } catch (err) {
          nodes.push({ kind: 'run-problem', runId, message: err instanceof Error ? err.message : String(err) });
        }
      }
      return nodes;
    }
    if (node.kind === 'run') return stepNodes((await this.store.read(node.runId)).state);
    if (node.kind === 'run-step') return logNodes((await this.store.read(node.runId)).state, node.step);
    return [];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'run': {
        const item = new vscode.TreeItem(node.procedure, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `run:${node.runId}`;
        const when = node.startedAt ? new Date(node.startedAt).toLocaleString() : 'not started';
        item.description = `${node.target} · ${node.status} · ${when}`;
        item.tooltip = new vscode.MarkdownString(`**${node.procedure}** on ${node.target}\n\nRun \`${node.runId}\` — ${node.status}`);
        item.iconPath = stateIcon(node.status);
        item.contextValue = `backout.run ${node.status}${node.active ? ' active' : ''}`;
        item.command = { command: 'backout.openRunPanel', title: 'Open Run Panel', arguments: [node.runId] };
        item.accessibilityInformation = { label: `Run of ${node.procedure} on ${node.target}, ${node.status}, started ${when}` };
        return item;
      }
      case 'run-step': {
        const item = new vscode.TreeItem(node.title, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `run:${node.runId}/${node.step}`;
        item.description = `${node.state}${node.instances > 1 ? ` · ${node.instances} instances` : ''}`;
        item.iconPath = stateIcon(node.state);
        item.contextValue = `backout.runStep ${node.state}`;
        return item;
      }
      case 'run-log': {
        const item = new vscode.TreeItem(node.instance, vscode.TreeItemCollapsibleState.None);
        item.id = `run:${node.runId}/${node.step}/${node.instance}`;
        item.description = `${node.state}${node.durationMs !== undefined ? ` · ${formatDuration(node.durationMs)}` : ''}`;
        item.iconPath = stateIcon(node.state);
        item.contextValue = `backout.runLog ${node.state}`;
        item.command = { command: 'backout.openStepLog', title: 'Open Step Log', arguments: [{ runId: node.runId, step: node.step, instance: node.instance }] };
        item.accessibilityInformation = { label: `Log of ${node.instance}, ${node.state}` };
        return item;
      }
      case 'run-problem': {
        const item = new vscode.TreeItem(node.runId, vscode.TreeItemCollapsibleState.None);
        item.description = node.message;
        item.tooltip = node.message;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.contextValue = 'backout.runProblem';
        return item;
      }
    }
  }
}
