// The engine's executor for `kube` actions: the operations of the typed contract in src/core/kube-operation.ts
// (built for the Ondat procedure by src/procedures/ondat/kube-operations.ts) on the adapter, each on the context the action names. Exit status 0
// means the operation did what it says and every expectation held; 1 that it did not (the reason is printed); 2 a
// failing init container in rollout-status; 3 a kind the API server does not serve. Failures of the means
// (unreachable, 401, 403) reject with the adapter's typed errors, which name the context, server and call.
import { chmod, mkdir, readFile, writeFile } from 'fs/promises';
import { dirname, isAbsolute, resolve, sep } from 'path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { KubeAction, LocalAction } from '../../core/plan';
import type { HelmReleaseRevision } from '../../core/helm-release';
import type { ToolRun } from '../../core/tool-run';
import { readKubeOperation, type KubeOperation } from '../../core/kube-operation';
import { LocalExecutor } from '../local/local-executor';
import { releaseRevision } from './helm-release';
import { runTool } from './tool-run';
import { clusterChanged } from './cluster-identity';
import type { ExecutionRequest, ExecutionResult, Executor } from '../../core/ports';
import type { KubeClient } from './client';
import type { KubeClientPool } from './connect';
import { resolveResourceType } from './discovery';
import { KubeLogsUnavailableError, KubeNotFoundError, KubeWaitTimeoutError } from './errors';
import { unmet } from './field-path';
import { ResourceType, Resources } from './resources';
import { DaemonSetJson, eventFailures, rolloutReport } from './rollout-status';
import type { KubeObject, Pod } from './types';
import { volumeUsers } from './volume-users';
import { describeStall, stalledScaleDowns, type StatefulSetJson } from './statefulset-stall';

export interface KubeExecutorOptions {
  pool: KubeClientPool;
  /** The run's folder, for `save` (files are written relative to it). Hosts without one cannot save. */
  runFolder?: (request: ExecutionRequest<KubeAction>) => string | undefined;
  /** Starts the local tools of `run-tool` (default: a LocalExecutor). */
  local?: Executor<LocalAction>;
}

type Out = (text: string) => void;
/** The typed options of one operation (src/core/kube-operation.ts). */
type Op<N extends KubeOperation['operation']> = Extract<KubeOperation, { operation: N }>;

const ok: ExecutionResult = { exitCode: 0 };
const fail = (detail: string): ExecutionResult => ({ exitCode: 1, detail });

function ref(o: KubeObject): string {
  return o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : `${o.metadata?.name}`;
}

/** The object without what only adds noise to a log line or a backup: managedFields. */
function compact(o: KubeObject): KubeObject {
  if (!o.metadata?.hasOwnProperty('managedFields')) return o;
  const metadata: Record<string, unknown> = { ...o.metadata };
  delete metadata.managedFields;
  return { ...o, metadata };
}

function labelSelectorOf(matchLabels: Record<string, string> | undefined): string | undefined {
  const entries = Object.entries(matchLabels ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : undefined;
}

export class KubeExecutor implements Executor<KubeAction> {
  constructor(private readonly options: KubeExecutorOptions) {}

  async execute(request: ExecutionRequest<KubeAction>): Promise<ExecutionResult> {
    const { action, signal } = request;
    const client = this.options.pool.get(action.context);
    const out: Out = (text) => request.output.line('stdout', text);
    const op = readKubeOperation(action);
    if (typeof op === 'string') {
      out(op);
      return fail(op);
    }
    switch (op.operation) {
      case 'list':
        return this.list(client, action, op, out, signal);
      case 'get':
        return this.get(client, action, op, out, signal);
      case 'save':
        return this.save(client, request, op, out);
      case 'delete':
        return this.delete(client, action, op, out, signal);
      case 'scale':
        return this.scale(client, action, op, out, signal);
      case 'create-or-adopt':
        return this.createOrAdopt(client, action, op, out, signal);
      case 'rollout-status':
        return this.rolloutStatus(client, action, op, out, signal);
      case 'volume-users':
        return this.volumeUsers(client, action, op, out, signal);
      case 'assert-unchanged':
        return this.assertUnchanged(client, op, out, signal);
      case 'helm-releases':
        return this.helmReleases(client, action, out, signal);
      case 'run-tool':
        return this.runTool(client, request, op.run);
      case 'read-file':
        return this.readFile(op.file, out);
    }
  }

  private async type(client: KubeClient, action: KubeAction, out: Out): Promise<ResourceType | undefined> {
    if (!action.resource) throw new Error(`kube ${action.operation}: the action names no resource`);
    const type = await resolveResourceType(client, action.resource.apiVersion, action.resource.kind);
    if (!type) out(`not served: ${action.resource.apiVersion} ${action.resource.kind}`);
    return type;
  }

  private notServed(action: KubeAction): ExecutionResult {
    return { exitCode: 3, detail: `the API server does not serve ${action.resource?.apiVersion} ${action.resource?.kind}` };
  }

  private async list(client: KubeClient, action: KubeAction, o: Op<'list'>, out: Out, signal: AbortSignal): Promise<ExecutionResult> {
    const type = await this.type(client, action, out);
    if (!type) return this.notServed(action);
    let items: KubeObject[];
    try {
      const namespace = type.namespaced && !o.allNamespaces ? action.namespace : undefined;
      items = (await client.list(type, { namespace, labelSelector: o.labelSelector, signal })).items;
    } catch (err) {
      // A custom resource whose CRD is gone answers 404 on its collection.
      if (err instanceof KubeNotFoundError) {
        out(`not served: ${action.resource?.apiVersion} ${action.resource?.kind}`);
        return this.notServed(action);
      }
      throw err;
    }
    const names = o.output === 'names';
    const checks = o.expectEach;
    const offenders: string[] = [];
    for (const item of items) {
      out(names ? ref(item) : JSON.stringify(compact(item)));
      for (const e of checks) {
        const problem = unmet(item, e);
        if (problem) offenders.push(`${ref(item)}: ${problem}`);
      }
    }
    offenders.forEach((line) => out(`UNMET ${line}`));
    if (offenders.length) return fail(`${offenders.length} expectation(s) not met`);
    if (o.expect === 'none' && items.length > 0) return fail(`expected no ${type.kind} but found ${items.length}`);
    if (o.expect === 'some' && items.length === 0) return fail(`expected at least one ${type.kind} but found none`);
    return ok;
  }

  private async get(client: KubeClient, action: KubeAction, o: Op<'get'>, out: Out, signal: AbortSignal): Promise<ExecutionResult> {
    const type = await this.type(client, action, out);
    if (!type) return this.notServed(action);
    const name = action.resource?.name ?? '';
    const obj = await client.find<KubeObject>(type, name, { namespace: action.namespace, signal });
    if (!obj) {
      out('not found');
      return fail(`${type.kind} ${name} not found`);
    }
    out(JSON.stringify(compact(obj)));
    const problems = o.expectEach.map((e) => unmet(obj, e)).filter((p): p is string => p !== undefined);
    problems.forEach((p) => out(`UNMET ${ref(obj)}: ${p}`));
    return problems.length ? fail(problems.join('; ')) : ok;
  }

  /** Every revision of every Helm release (in `namespace`, or all), one JSON line each, read from Helm's Secrets. */
  private async helmReleases(client: KubeClient, action: KubeAction, out: Out, signal: AbortSignal): Promise<ExecutionResult> {
    const list = await client.list<KubeObject & { data?: Record<string, string> }>(Resources.secrets, { namespace: action.namespace, labelSelector: 'owner=helm', signal });
    const revisions: HelmReleaseRevision[] = [];
    for (const secret of list.items) {
      const r = releaseRevision(secret);
      if (typeof r === 'string') out(`UNREADABLE ${r}`);
      else revisions.push(r);
    }
    revisions.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`) || a.revision - b.revision);
    for (const r of revisions) out(JSON.stringify(r));
    return ok;
  }

  private async runTool(client: KubeClient, request: ExecutionRequest<KubeAction>, run: ToolRun): Promise<ExecutionResult> {
    const runFolder = this.options.runFolder?.(request);
    if (!runFolder) return fail('run-tool: this host gives no run folder for the tool\'s kubeconfig and settings files');
    return runTool(run, request, {
      client,
      server: this.options.pool.serverOf(request.action.context),
      kubeconfig: this.options.pool.kubeconfigFor(request.action.context),
      runFolder,
      local: this.options.local ?? new LocalExecutor(),
    });
  }

  /** A local file's lines (e.g. manifests the user names by path), read for discovery; the path must be absolute. */
  private async readFile(file: string, out: Out): Promise<ExecutionResult> {
    if (!isAbsolute(file)) return fail(`read-file: ${file} is not an absolute path`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      out(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
      return fail(`cannot read ${file}`);
    }
    for (const line of text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n')) out(line);
    return ok;
  }

  private async save(client: KubeClient, request: ExecutionRequest<KubeAction>, o: Op<'save'>, out: Out): Promise<ExecutionResult> {
    const { action, signal } = request;
    const type = await this.type(client, action, out);
    if (!type) return this.notServed(action);
    const file = o.file;
    const folder = this.options.runFolder?.(request);
    if (!folder) return fail('save: this host gives no run folder to save into');
    const target = resolve(folder, file);
    if (isAbsolute(file) || !target.startsWith(resolve(folder) + sep)) return fail(`save: ${file} is outside the run folder`);
    const name = action.resource?.name ?? '';
    const obj = await client.find<KubeObject>(type, name, { namespace: action.namespace, signal });
    if (!obj) {
      out('not found');
      return fail(`${type.kind} ${name} not found`);
    }
    const copy: Record<string, unknown> = { ...compact(obj) };
    delete copy.status;
    await mkdir(dirname(target), { recursive: true });
    const secret = type.kind === 'Secret';
    await writeFile(target, stringifyYaml(copy), { mode: secret ? 0o600 : 0o644 });
    if (secret) await chmod(target, 0o600);
    out(`saved ${type.kind} ${ref(obj)} to ${file}${secret ? ' (mode 0600; data not shown)' : ''}`);
    return ok;
  }

  private async delete(client: KubeClient, action: KubeAction, o: Op<'delete'>, out: Out, signal: AbortSignal): Promise<ExecutionResult> {
    const type = await this.type(client, action, out);
    if (!type) return this.notServed(action);
    const name = action.resource?.name ?? '';
    const propagationPolicy = o.propagationPolicy;
    const uid = o.uid;
    if (uid) {
      const current = await client.find<KubeObject>(type, name, { namespace: action.namespace, signal });
      if (current && current.metadata?.uid !== uid) {
        out(`already gone (a new ${type.kind} ${name} with another uid exists and is left alone)`);
        return ok;
      }
    }
    const result = await client.delete(type, name, { namespace: action.namespace, propagationPolicy, signal });
    out(result === 'already-gone' ? 'already gone' : `deleted ${type.kind} ${name}`);
    if (o.waitGone && result === 'deleted') {
      const timeoutMs = o.timeoutSeconds * 1000;
      try {
        await client.waitUntilGone(type, name, { namespace: action.namespace, uid, timeoutMs, signal });
        out('gone');
      } catch (err) {
        if (err instanceof KubeWaitTimeoutError) {
          out(`still there after ${timeoutMs / 1000} s: ${err.lastSeen}`);
          return fail(err.message);
        }
        throw err;
      }
    }
    return ok;
  }

  private async scale(client: KubeClient, action: KubeAction, o: Op<'scale'>, out: Out, signal: AbortSignal): Promise<ExecutionResult> {
    const type = await this.type(client, action, out);
    if (!type) return this.notServed(action);
    const name = action.resource?.name ?? '';
    const replicas = o.replicas;
    const before = await client.find<KubeObject & { spec?: { replicas?: number } }>(type, name, { namespace: action.namespace, signal });
    if (!before) {
      out('not found');
      return fail(`${type.kind} ${name} not found`);
    }
    const now = await client.scale(type, name, replicas, { namespace: action.namespace, signal });
    out(`scaled ${type.kind}/${name} from ${before.spec?.replicas ?? 1} to ${now}`);
    return ok;
  }

  private async createOrAdopt(client: KubeClient, action: KubeAction, o: Op<'create-or-adopt'>, out: Out, signal: AbortSignal): Promise<ExecutionResult> {
    if (o.clusterUid !== undefined) {
      const refused = await clusterChanged(client, action.context, this.options.pool.serverOf(action.context), o.clusterUid, out, signal);
      if (refused) return refused;
    }
    const type = await this.type(client, action, out);
    if (!type) return this.notServed(action);
    if (!action.manifest) return fail('create-or-adopt: the action carries no manifest');
    const manifest = parseYaml(action.manifest) as KubeObject;
    if (!manifest || typeof manifest !== 'object') return fail('create-or-adopt: the manifest is not a YAML object');
    if (type.namespaced && action.namespace && !manifest.metadata?.namespace) manifest.metadata = { ...manifest.metadata, namespace: action.namespace };
    const adoptWhen = o.adoptWhenAnnotation;
    const { object, outcome } = await client.createOrAdopt(type, manifest, {
      namespace: action.namespace,
      signal,
      replaceTimeoutMs: o.replaceTimeoutSeconds * 1000,
      // Only an object this procedure made (it carries the marker annotation) is adopted; anything else is replaced.
      decide: (existing) => (adoptWhen?.key && existing.metadata?.annotations?.[adoptWhen.key] === adoptWhen.value ? 'adopt' : 'replace'),
    });
    out(`${outcome} ${type.kind} ${ref(object)} uid=${object.metadata?.uid}`);
    return ok;
  }

  private async rolloutStatus(client: KubeClient, action: KubeAction, o: Op<'rollout-status'>, out: Out, signal: AbortSignal): Promise<ExecutionResult> {
    const namespace = action.namespace ?? 'default';
    const name = action.resource?.name ?? '';
    const ds = await client.find<DaemonSetJson>(Resources.daemonSets, name, { namespace, signal });
    if (!ds) {
      out('not found');
      return fail(`DaemonSet ${name} not found in ${namespace}`);
    }
    const pods = await client.list<Pod>(Resources.pods, { namespace, labelSelector: labelSelectorOf(ds.spec?.selector?.matchLabels), signal });
    const node = o.node;
    const report = rolloutReport(ds, pods.items, node);
    report.lines.forEach(out);
    const [dsEvents, podEvents] = await Promise.all([
      client.events({ namespace, kind: 'DaemonSet', uid: ds.metadata?.uid, signal }),
      client.events({ namespace, kind: 'Pod', signal }),
    ]);
    const stuck = eventFailures(ds, pods.items, [...dsEvents, ...podEvents], node);
    for (const f of stuck) out(`FAILED node=${f.node} ${f.object.startsWith('Pod/') ? `pod=${f.object.slice(4)}` : `daemonset=${f.object.slice(10)}`} reason=${f.reason} count=${f.count} event: ${f.message}`);
    if (report.failures.length) {
      const logLines = o.logLines;
      for (const f of report.failures) {
        out(`FAILED node=${f.node} pod=${f.pod} container=${f.container} reason=${f.reason} exitCode=${f.exitCode ?? ''}`);
        if (logLines <= 0) continue;
        try {
          const text = await client.logs(f.pod, { namespace, container: f.container, tailLines: logLines, previous: f.reason === 'CrashLoopBackOff', signal });
          text.split('\n').filter(Boolean).slice(-logLines).forEach((line) => out(`log ${f.pod}: ${line}`));
        } catch (err) {
          if (!(err instanceof KubeLogsUnavailableError || err instanceof KubeNotFoundError)) throw err;
          out(`log ${f.pod}: unavailable (${err instanceof KubeLogsUnavailableError ? err.serverMessage : 'pod gone'})`);
        }
      }
      return { exitCode: 2, detail: `${report.failures.map((f) => `${f.container} ${f.reason} on ${f.node}`).join('; ')}${stuck.length ? `; ${stuck.map((f) => `${f.reason} (${f.object}): ${f.message}`).join('; ')}` : ''}` };
    }
    if (stuck.length) return { exitCode: 2, detail: stuck.map((f) => `${f.reason} on ${f.node} (${f.object}): ${f.message}`).join('; ') };
    return report.done ? ok : { exitCode: 1, detail: 'not ready yet' };
  }

  private async volumeUsers(client: KubeClient, action: KubeAction, o: Op<'volume-users'>, out: Out, signal: AbortSignal): Promise<ExecutionResult> {
    const provisioner = o.provisioner;
    const users = await volumeUsers(client, provisioner, { signal });
    for (const u of users) out(`${u.namespace}/${u.pod} claim=${u.claim} storageClass=${u.storageClass}`);
    if (o.expect === 'none' && users.length > 0) {
      // A StatefulSet scaled down that cannot remove its pods would make a wait for "none" time out without a word.
      const stalls: string[] = [];
      for (const namespace of [...new Set(users.map((u) => u.namespace))]) {
        const [sets, pods] = await Promise.all([
          client.list<StatefulSetJson>(Resources.statefulSets, { namespace, signal }),
          client.list<Pod>(Resources.pods, { namespace, signal }),
        ]);
        stalls.push(...stalledScaleDowns(sets.items, pods.items).map((s) => describeStall(s, action.context)));
      }
      for (const line of stalls) out(`stalled: ${line}`);
      return fail(`${users.length} pod(s) still use ${provisioner} volumes${stalls.length ? `; ${stalls.join('; ')}` : ''}`);
    }
    return ok;
  }

  private async assertUnchanged(client: KubeClient, o: Op<'assert-unchanged'>, out: Out, signal: AbortSignal): Promise<ExecutionResult> {
    const objects = o.objects;
    const namespaces = o.inNamespaces;
    let changed = 0;
    const kinds = new Map<string, ResourceType>();
    for (const f of objects) {
      const label = `${f.kind}/${f.namespace ? `${f.namespace}/` : ''}${f.name}`;
      const type = await resolveResourceType(client, f.apiVersion, f.kind);
      if (!type) {
        out(`CHANGED ${label}: ${f.apiVersion} ${f.kind} is no longer served`);
        changed++;
        continue;
      }
      kinds.set(`${f.apiVersion} ${f.kind}`, type);
      const now = await client.find<KubeObject>(type, f.name, { namespace: f.namespace, signal });
      const problem = !now
        ? 'gone'
        : now.metadata?.uid !== f.uid
          ? `replaced (uid ${f.uid} -> ${now.metadata?.uid})`
          : now.metadata?.deletionTimestamp
            ? `being deleted since ${now.metadata.deletionTimestamp}`
            : f.generation !== undefined && now.metadata?.generation !== f.generation
              ? `spec changed (generation ${f.generation} -> ${now.metadata?.generation})`
              : undefined;
      if (problem) changed++;
      out(problem ? `CHANGED ${label}: ${problem}` : `unchanged ${label}`);
    }
    const knownUids = new Set(objects.map((f) => f.uid));
    for (const ns of namespaces) {
      for (const type of kinds.values()) {
        if (!type.namespaced) continue;
        const items = (await client.list<KubeObject>(type, { namespace: ns, signal })).items;
        for (const item of items) {
          if (knownUids.has(item.metadata?.uid ?? '')) continue;
          out(`NEW ${type.kind}/${ns}/${item.metadata?.name}`);
          changed++;
        }
      }
    }
    return changed ? fail(`${changed} change(s)`) : ok;
  }
}
