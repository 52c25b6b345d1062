// Discovery, read-only: lists what the planner needs through the host's executors (FactsContext.read), so the
// procedure never talks to a cluster itself. A host without a kube executor plans offline (facts absent).
import { InvalidPlanError, NoExecutorError } from '../../core/errors';
import type { JsonObject } from '../../core/json';
import type { FactsContext } from '../../core/procedure';
import type { DiscoveryResult, ToolFact } from './facts';
import { toolCheckArgv } from './install';
import { parseObjectLine } from './kube-json';
import { listAction, type ResourceRef } from './kube-operations';
import { ETCD_CLUSTER, STORAGEOS_CLUSTER } from './names';
import type { InstallMethod } from './parameters';
import { factsFromSnapshot } from './snapshot';

/** Exit status of `list` for a kind the API does not serve (see kube-operations.ts). */
const NOT_SERVED = 3;

export class DiscoveryError extends Error {
  constructor(
    readonly context: string,
    readonly what: string,
    readonly detail: string,
  ) {
    super(`Discovery on context ${context}: listing ${what} failed (${detail}). Nothing was changed; check access to the cluster (the account needs list on these resources in all namespaces) and plan again.`);
    this.name = 'DiscoveryError';
  }
}

function isMissingKubeExecutor(err: unknown): boolean {
  if (err instanceof NoExecutorError) return err.kind === 'kube';
  return err instanceof InvalidPlanError && err.problem.includes('"kube" executor');
}

async function list(ctx: FactsContext, context: string, type: ResourceRef, optional: boolean): Promise<JsonObject[] | undefined> {
  const r = await ctx.read(listAction(context, type, { allNamespaces: true }));
  if (r.exitCode === NOT_SERVED && optional) return undefined;
  if (r.exitCode !== 0) throw new DiscoveryError(context, `${type.kind} (${type.apiVersion})`, `exit code ${r.exitCode}: ${r.output.slice(-3).join(' | ')}`);
  return r.output.map(parseObjectLine).filter((o): o is JsonObject => o !== undefined);
}

async function tool(ctx: FactsContext, name: ToolFact['tool'], argv: string[]): Promise<ToolFact> {
  try {
    const r = await ctx.read({ kind: 'local', argv });
    return { tool: name, available: r.exitCode === 0, detail: r.exitCode === 0 ? (r.output[0] ?? '').trim() : `\`${argv.join(' ')}\` exited ${r.exitCode}` };
  } catch (err) {
    return { tool: name, available: false, detail: err instanceof Error ? err.message : String(err) };
  }
}

async function currentContext(ctx: FactsContext): Promise<string | undefined> {
  try {
    const r = await ctx.read({ kind: 'local', argv: ['kubectl', 'config', 'current-context'] });
    return r.exitCode === 0 ? r.output[0]?.trim() : undefined;
  } catch {
    return undefined;
  }
}

export async function discover(ctx: FactsContext): Promise<DiscoveryResult> {
  const context = String(ctx.params.context ?? '');
  let storageOSClusters: JsonObject[] | undefined;
  try {
    storageOSClusters = await list(ctx, context, STORAGEOS_CLUSTER, true);
  } catch (err) {
    if (isMissingKubeExecutor(err)) return { status: 'absent', reason: 'this host has no Kubernetes executor, so the cluster was not read' };
    throw err;
  }
  const core = (kind: string): ResourceRef => ({ apiVersion: 'v1', kind });
  const apps = (kind: string): ResourceRef => ({ apiVersion: 'apps/v1', kind });
  const [etcdClusters, deployments, daemonSets, statefulSets, replicaSets, pods, claims, storageClasses, nodes] = await Promise.all([
    list(ctx, context, ETCD_CLUSTER, true),
    list(ctx, context, apps('Deployment'), false),
    list(ctx, context, apps('DaemonSet'), false),
    list(ctx, context, apps('StatefulSet'), false),
    list(ctx, context, apps('ReplicaSet'), false),
    list(ctx, context, core('Pod'), false),
    list(ctx, context, core('PersistentVolumeClaim'), false),
    list(ctx, context, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' }, false),
    list(ctx, context, core('Node'), false),
  ]);
  const method = (ctx.params.installMethod as InstallMethod | undefined) ?? 'kubectl-storageos';
  const check = toolCheckArgv(method);
  const tools = check ? [await tool(ctx, check.tool, check.argv)] : [];
  const current = method === 'kubectl-storageos' ? await currentContext(ctx) : undefined;
  return factsFromSnapshot(
    context,
    {
      ...(storageOSClusters ? { storageOSClusters } : {}),
      ...(etcdClusters ? { etcdClusters } : {}),
      deployments: deployments ?? [],
      daemonSets: daemonSets ?? [],
      statefulSets: statefulSets ?? [],
      replicaSets: replicaSets ?? [],
      pods: pods ?? [],
      claims: claims ?? [],
      storageClasses: storageClasses ?? [],
      nodes: nodes ?? [],
    },
    { tools, ...(current !== undefined ? { currentContext: current } : {}) },
  );
}
