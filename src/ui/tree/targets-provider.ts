// The Targets view: Kubernetes contexts (and, as procedures land, DataMiner Systems). Reading happens off the UI
// path: getChildren awaits the lazily loaded adapter, and refresh only fires the change event.
import * as vscode from 'vscode';
import { kubeconfigFiles } from '../../adapters/kube/kubeconfig-files';
import { loadKube } from '../../adapters/lazy';
import { kubeconfigSetting } from '../settings';
import type { AgentFactsService } from '../inventory/agent-facts-service';
import type { InventoryService } from '../inventory/inventory-service';
import { Disposable } from '../disposable';
import { agentNodes, dmsGroup } from './dms-nodes';
import { kubeNodes, type KubeconfigOutcome } from './kube-nodes';
import type { AgentStatus, OndatNode, TargetNode } from './nodes';
import { toTreeItem } from './tree-items';

export class TargetsProvider extends Disposable implements vscode.TreeDataProvider<TargetNode> {
  private readonly changed = this.register(new vscode.EventEmitter<TargetNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private roots: Promise<TargetNode[]> | undefined;
  /** Agent statuses per DMS, read when the DMS is first expanded and again on refresh. */
  private readonly statuses = new Map<string, Map<string, AgentStatus>>();
  private readonly reading = new Set<string>();
  /** What runs on each Kubernetes context, read when the context is first expanded. */
  private readonly ondat = new Map<string, OndatNode['status']>();

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly inventory?: InventoryService,
    private readonly facts?: AgentFactsService,
  ) {
    super();
  }

  refresh(): void {
    this.roots = undefined;
    this.statuses.clear();
    this.ondat.clear();
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
    if (node.kind === 'kube-group' || node.kind === 'dms-group') return node.children;
    if (node.kind === 'kube-context') {
      const name = node.context.name;
      const known = this.ondat.get(name);
      if (!known) this.readOndat(name);
      return [{ kind: 'ondat', context: name, status: known ?? { state: 'checking' } }];
    }
    if (node.kind === 'dms') {
      const known = this.statuses.get(node.dms.name);
      if (!known) this.readAgents(node.dms);
      const checking = new Map(node.dms.agents.map((a) => [a.name, { state: 'checking' } as AgentStatus]));
      return agentNodes(node.dms, known ?? (this.facts ? checking : new Map()));
    }
    return [];
  }

  /** Reads which Ondat runs on a context, in the background (bounded by the adapter's timeouts). */
  private readOndat(context: string): void {
    if (this.reading.has(`kube:${context}`)) return;
    this.reading.add(`kube:${context}`);
    void (async () => {
      const kube = await loadKube();
      const loaded = kube.loadKubeconfig(kube.kubeconfigFiles({ setting: kubeconfigSetting() }));
      const pool = new kube.KubeClientPool(loaded);
      try {
        const presence = await kube.ondatPresence(pool.get(context));
        this.ondat.set(context, presence.installed ? { state: 'found', clusters: presence.clusters } : { state: 'absent' });
      } finally {
        pool.close();
      }
    })()
      .catch((err: unknown) => {
        const error = err instanceof Error ? err.message : String(err);
        this.log.warn(`Targets: cannot read Ondat on context ${context}: ${error}`);
        this.ondat.set(context, { state: 'error', error });
      })
      .finally(() => {
        this.reading.delete(`kube:${context}`);
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
