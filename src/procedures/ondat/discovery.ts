// Discovery, read-only: lists what the planner needs through the host's executors (FactsContext.read), so the
// procedure never talks to a cluster itself. A host without a kube executor plans offline (facts absent).
import { InvalidPlanError, NoExecutorError } from '../../core/errors';
import type { JsonObject, JsonValue } from '../../core/json';
import type { FactsContext } from '../../core/procedure';
import type { DiscoveryResult, ToolFact } from './facts';
import { toolCheckArgv } from './install';
import type { HelmReleaseRevision } from '../../core/helm-release';
import { OndatParameterError } from './errors';
import { parseObjectLine, str } from './kube-json';
import { getAction, helmReleasesAction, listAction, readFileAction, type ResourceRef } from './kube-operations';
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

/** metadata.uid of kube-system: what tells one cluster from another whatever the context is called. */
async function clusterUid(ctx: FactsContext, context: string): Promise<string | undefined> {
  const r = await ctx.read(getAction(context, { apiVersion: 'v1', kind: 'Namespace' }, undefined, 'kube-system'));
  if (r.exitCode !== 0) return undefined;
  const ns = r.output.map(parseObjectLine).find((o) => o !== undefined);
  return ns ? str(ns, 'metadata', 'uid') : undefined;
}

async function helmReleases(ctx: FactsContext, context: string): Promise<HelmReleaseRevision[]> {
  const r = await ctx.read(helmReleasesAction(context));
  if (r.exitCode !== 0) throw new DiscoveryError(context, "Helm's release Secrets (v1 Secret, label owner=helm)", `exit code ${r.exitCode}: ${r.output.slice(-3).join(' | ')}`);
  return r.output.map(parseObjectLine).flatMap((o) => {
    const rev = o ? helmRevision(o) : undefined;
    return rev ? [rev] : [];
  });
}

/** A revision line as the executor prints it (src/core/helm-release.ts), checked field by field. */
function helmRevision(o: JsonObject): HelmReleaseRevision | undefined {
  const name = str(o, 'name');
  const namespace = str(o, 'namespace');
  const status = str(o, 'status');
  const chart = str(o, 'chart');
  if (!name || !namespace || !status || chart === undefined || typeof o.revision !== 'number') return undefined;
  const appVersion = str(o, 'appVersion');
  const list = (v: JsonValue | undefined): JsonObject[] => (Array.isArray(v) ? v.filter((x): x is JsonObject => typeof x === 'object' && x !== null && !Array.isArray(x)) : []);
  return {
    name,
    namespace,
    revision: o.revision,
    status,
    chart,
    chartVersion: str(o, 'chartVersion') ?? '',
    ...(appVersion ? { appVersion } : {}),
    dependencies: (Array.isArray(o.dependencies) ? o.dependencies : []).filter((d): d is string => typeof d === 'string'),
    objects: list(o.objects).flatMap((x) => {
      const apiVersion = str(x, 'apiVersion');
      const kind = str(x, 'kind');
      const objName = str(x, 'name');
      const ns = str(x, 'namespace');
      return apiVersion && kind && objName ? [{ apiVersion, kind, name: objName, ...(ns ? { namespace: ns } : {}) }] : [];
    }),
  };
}

/** The manifests file named by manifestsFile, read when planning so that the plan shows every object it sends. */
async function manifests(ctx: FactsContext, context: string, file: string): Promise<{ file: string; text: string }> {
  const r = await ctx.read(readFileAction(context, file));
  if (r.exitCode !== 0) throw new OndatParameterError('manifestsFile', `cannot be read: ${r.output.join(' ') || `exit code ${r.exitCode}`}. Give the absolute path of a readable YAML file with the Ondat v2.6.0 manifests`);
  return { file, text: r.output.join('\n') + '\n' };
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
  const [etcdClusters, deployments, daemonSets, statefulSets, replicaSets, pods, claims, storageClasses, nodes, serviceAccounts] = await Promise.all([
    list(ctx, context, ETCD_CLUSTER, true),
    list(ctx, context, apps('Deployment'), false),
    list(ctx, context, apps('DaemonSet'), false),
    list(ctx, context, apps('StatefulSet'), false),
    list(ctx, context, apps('ReplicaSet'), false),
    list(ctx, context, core('Pod'), false),
    list(ctx, context, core('PersistentVolumeClaim'), false),
    list(ctx, context, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' }, false),
    list(ctx, context, core('Node'), false),
    list(ctx, context, core('ServiceAccount'), false),
  ]);
  const method = (ctx.params.installMethod as InstallMethod | undefined) ?? 'kubectl-storageos';
  const check = toolCheckArgv(method);
  const tools = check ? [await tool(ctx, check.tool, check.argv)] : [];
  const uid = await clusterUid(ctx, context);
  const releases = await helmReleases(ctx, context);
  const file = typeof ctx.params.manifestsFile === 'string' && ctx.params.manifestsFile !== '' ? ctx.params.manifestsFile : undefined;
  const text = method === 'manifests' && file ? await manifests(ctx, context, file) : undefined;
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
      serviceAccounts: serviceAccounts ?? [],
    },
    { tools, helmReleases: releases, ...(uid !== undefined ? { clusterUid: uid } : {}), ...(text ? { manifests: text } : {}) },
  );
}
