// The Targets view: DataMiner Systems and Kubernetes contexts, with what procedures show under them. Reading happens
// off the UI path: getChildren awaits the lazily loaded adapter, and refresh only fires the change event.
import * as vscode from 'vscode';
import { kubeconfigFiles } from '../../adapters/kube/kubeconfig-files';
import { loadKube } from '../../adapters/lazy';
import type { TargetKind } from '../commands/run-questions';
import type { AnyTargetDetail, DetailStatus } from '../contributions/procedure-ui';
import { kubeconfigSetting } from '../settings';
import type { AgentFactsService } from '../inventory/agent-facts-service';
import type { InventoryService } from '../inventory/inventory-service';
import { Disposable } from '../disposable';
import { agentNodes, dmsGroup } from './dms-nodes';
import { kubeNodes, type KubeconfigOutcome } from './kube-nodes';
import { isDetailNode, type AgentStatus, type DetailNode, type TargetNode } from './nodes';
import { toTreeItem } from './tree-items';

export class TargetsProvider extends Disposable implements vscode.TreeDataProvider<TargetNode> {
  private readonly changed = this.register(new vscode.EventEmitter<TargetNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private roots: Promise<TargetNode[]> | undefined;
  /** Agent statuses per DMS, read when the DMS is first expanded and again on refresh. */
  private readonly statuses = new Map<string, Map<string, AgentStatus>>();
  private readonly reading = new Set<string>();
  /** The procedures' detail lines per detail and target ("ondat:<context>"), read when the target is first expanded. */
  private readonly detailStatus = new Map<string, DetailStatus<unknown>>();

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly inventory?: InventoryService,
    private readonly facts?: AgentFactsService,
    /** The detail lines procedures add under a target of a kind (contributions/). */
    private readonly details: (kind: TargetKind) => readonly AnyTargetDetail[] = () => [],
  ) {
    super();
  }

  refresh(): void {
    this.roots = undefined;
    this.statuses.clear();
    this.detailStatus.clear();
    this.changed.fire(undefined);
  }

  getTreeItem(node: TargetNode): vscode.TreeItem {
    return toTreeItem(node);
  }

  getChildren(node?: TargetNode): Promise<TargetNode[]> | TargetNode[] {
    if (!node) {
      this.roots ??= this.loadRoots();
      return this.roots;
    }
    if (isDetailNode(node)) return [];
    if (node.kind === 'kube-group' || node.kind === 'dms-group') return node.children;
    if (node.kind === 'kube-context') return this.detailsOf('kube-context', node.context.name);
    if (node.kind === 'dms') {
      const known = this.statuses.get(node.dms.name);
      if (!known) this.readAgents(node.dms);
      const checking = new Map(node.dms.agents.map((a) => [a.name, { state: 'checking' } as AgentStatus]));
      return [...agentNodes(node.dms, known ?? (this.facts ? checking : new Map())), ...this.detailsOf('dms', node.dms.name)];
    }
    return [];
  }

  /** The target's detail lines: known ones as read, the others "checking…" while they are read in the background. */
  private detailsOf(kind: TargetKind, target: string): DetailNode[] {
    return this.details(kind).map((detail) => {
      const key = `${detail.id}:${target}`;
      const known = this.detailStatus.get(key);
      if (!known) this.readDetail(detail, target, key);
      return { kind: detail.id, detail, target, status: known ?? { state: 'checking' } };
    });
  }

  /** Reads a detail in the background (bounded by the adapter's timeouts); the view changes when it is read. */
  private readDetail(detail: AnyTargetDetail, target: string, key: string): void {
    if (this.reading.has(key)) return;
    this.reading.add(key);
    detail
      .read(target)
      .then(
        (value) => this.detailStatus.set(key, { state: 'read', value }),
        (err: unknown) => {
          const error = err instanceof Error ? err.message : String(err);
          this.log.warn(`Targets: cannot read ${detail.id} on ${target}: ${error}`);
          this.detailStatus.set(key, { state: 'error', error });
        },
      )
      .finally(() => {
        this.reading.delete(key);
        this.changed.fire(undefined);
      });
  }

  /** Reads the DMS's Agents in the background; the view shows "checking…" meanwhile and never waits for SSH. */
  private readAgents(dms: Parameters<AgentFactsService['gather']>[0]): void {
    if (!this.facts || this.reading.has(dms.name)) return;
    this.reading.add(dms.name);
    const started = Date.now();
    this.facts
      .gather(dms)
      .then(
        (statuses) => {
          this.statuses.set(dms.name, statuses);
          const down = [...statuses.values()].filter((s) => s.state === 'unreachable').length;
          this.log.info(`Targets: read ${statuses.size} Agent(s) of DMS ${dms.name} in ${Date.now() - started} ms${down ? `, ${down} unreachable` : ''}`);
        },
        (err: unknown) => {
          const error = err instanceof Error ? err.message : String(err);
          this.log.warn(`Targets: cannot read the Agents of DMS ${dms.name}: ${error}`);
          this.statuses.set(dms.name, new Map(dms.agents.map((a) => [a.name, { state: 'unreachable', error } as AgentStatus])));
        },
      )
      .finally(() => {
        this.reading.delete(dms.name);
        this.changed.fire(undefined);
      });
  }

  /** The files the current kubeconfig comes from, for the file watcher (without loading client-node). */
  async kubeconfigFiles(): Promise<string[]> {
    return kubeconfigFiles({ setting: kubeconfigSetting() }).files;
  }

  private async loadRoots(): Promise<TargetNode[]> {
    const started = Date.now();
    const kube = await loadKube();
    const source = kube.kubeconfigFiles({ setting: kubeconfigSetting() });
    let outcome: KubeconfigOutcome;
    try {
      outcome = { ok: true, loaded: kube.loadKubeconfig(source) };
      this.log.info(`Targets: ${outcome.loaded.contexts.length} Kubernetes context(s) from ${source.files.join(', ')} in ${Date.now() - started} ms`);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      const missing = (error as { problem?: string }).problem === 'missing';
      if (!missing || source.origin !== 'default') this.log.warn(`Targets: ${error.message}`);
      outcome = { ok: false, source, error, missing };
    }
    const roots: TargetNode[] = [];
    if (this.inventory) {
      const group = dmsGroup(this.inventory.load(), this.inventory.ignoredForTrust());
      if (group) roots.push(group);
    }
    roots.push(...kubeNodes(outcome));
    return roots;
  }
}
