// A stand-in for Helm 3 (helm.sh), which cannot run here (no charts repository): the commands the Ondat procedure
// uses — `version`, `repo add`, `upgrade [--install]`, `status`, `history`, `list` — done as Helm documents them,
// through the API of the cluster its --kubeconfig/--kube-context name, with releases kept as Helm keeps them (release
// Secrets, storage.ts) so that the procedure's discovery reads the stand-in's records as it reads a real helm's.
// Upgrade semantics (helm.sh/docs/helm/helm_upgrade; helm pkg/action/upgrade.go): a release whose latest revision is
// pending-* is refused ("another operation (install/upgrade/rollback) is in progress"); objects that exist without
// this release's ownership metadata are refused ("invalid ownership metadata", helm.sh/docs "Helm 3.2: adopting
// existing resources"); every object of the previous revision's manifest that the new chart does not render is
// DELETED (unless annotated helm.sh/resource-policy: keep) — which is how upgrading an umbrella release to another
// chart removes what only the umbrella rendered. Values come from -f files and --set*, which are parsed as Helm
// parses them (strvals.ts). Each call can be recorded (argv, context, server, file modes, whether any
// BACKOUT_SECRET_* reached it) to $BACKOUT_LAB_HELM_LOG for tests.
import * as fs from 'fs';
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { parse as parseYaml, parseAllDocuments, stringify as stringifyYaml } from 'yaml';
import { chartMetadata, defaultValues, merge, render } from './chart';
import { bool, duration, HISTORY, LIST, one, parseFlags, REPO_ADD, STATUS, UPGRADE, UsageError, VERSION, type Parsed } from './flags';
import { addRepository, findRepository, repositoryConfig } from './repositories';
import { applySet } from './strvals';
import { ReleaseStore, type Release, type ReleaseStatus } from './storage';

const HELM_VERSION = 'v3.9.4';
const FIELD_MANAGER = 'helm';

function mode(file: string | undefined): string | null {
  if (!file) return null;
  try {
    return (fs.statSync(file).mode & 0o777).toString(8).padStart(4, '0');
  } catch {
    return null;
  }
}

function record(entry: Record<string, unknown>): void {
  const log = process.env.BACKOUT_LAB_HELM_LOG;
  if (log) fs.appendFileSync(log, `${JSON.stringify(entry)}\n`);
}

/** The cluster helm talks to: --kubeconfig (else $KUBECONFIG, ~/.kube/config) and --kube-context (else current). */
function kubeConfig(p: Parsed): KubeConfig {
  const kc = new KubeConfig();
  const file = one(p, 'kubeconfig');
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  const context = one(p, 'kube-context');
  if (context !== undefined) {
    if (!kc.getContextObject(context)) throw new UsageError(`Kubernetes cluster unreachable: context "${context}" does not exist`);
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) throw new UsageError('Kubernetes cluster unreachable: invalid configuration: no configuration has been provided');
  return kc;
}

function namespaceOf(p: Parsed, kc: KubeConfig): string {
  return one(p, 'namespace') ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
}

const now = (): string => new Date().toISOString();

interface Ref {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

const key = (r: Ref): string => `${r.apiVersion}|${r.kind}|${r.namespace ?? ''}|${r.name}`;
const show = (r: Ref): string => `${r.kind} "${r.name}"${r.namespace ? ` in namespace "${r.namespace}"` : ''}`;

function manifestOf(objects: KubernetesObject[]): string {
  return objects.map((o) => `---\n# Source: ondat-operator/templates/${(o.kind ?? '').toLowerCase()}.yaml\n${stringifyYaml(o)}`).join('');
}

function refsOf(manifest: string, namespace: string): Ref[] {
  const clusterScoped = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PriorityClass']);
  return parseAllDocuments(manifest)
    .map((d) => d.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => !!o && !!o.kind && !!o.metadata?.name)
    .map((o) => ({ apiVersion: o.apiVersion as string, kind: o.kind as string, name: o.metadata?.name as string, ...(clusterScoped.has(o.kind as string) ? {} : { namespace: o.metadata?.namespace ?? namespace }) }));
}

function statusCode(err: unknown): number | undefined {
  const e = err as { code?: number; statusCode?: number; response?: { statusCode?: number } };
  return e?.code ?? e?.statusCode ?? e?.response?.statusCode;
}

async function find(api: KubernetesObjectApi, r: Ref): Promise<KubernetesObject | undefined> {
  try {
    return await api.read({ apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) } });
  } catch (err) {
    if (statusCode(err) === 404) return undefined;
    throw err;
  }
}

/** Helm 3.2+'s ownership check of an existing object (pkg/action/validate.go checkOwnership). */
function ownershipProblems(o: KubernetesObject, release: string, namespace: string): string[] {
  const labels = o.metadata?.labels ?? {};
  const ann = o.metadata?.annotations ?? {};
  const out: string[] = [];
  if (labels['app.kubernetes.io/managed-by'] !== 'Helm') out.push(`label validation error: ${labels['app.kubernetes.io/managed-by'] === undefined ? 'missing key' : 'key'} "app.kubernetes.io/managed-by": must be set to "Helm"`);
  for (const [k, want] of [['meta.helm.sh/release-name', release], ['meta.helm.sh/release-namespace', namespace]] as const) {
    const got = ann[k];
    if (got === undefined) out.push(`annotation validation error: missing key "${k}": must be set to "${want}"`);
    else if (got !== want) out.push(`annotation validation error: key "${k}" must equal "${want}": current value is "${got}"`);
  }
  return out;
}

function owned(o: KubernetesObject, release: string, namespace: string): KubernetesObject {
  return {
    ...o,
    metadata: {
      ...o.metadata,
      labels: { ...(o.metadata?.labels ?? {}), 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { ...(o.metadata?.annotations ?? {}), 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': namespace },
    },
  };
}

/** -f files in order, then --set, then --set-string (helm pkg/cli/values/options.go MergeValues). */
function userValues(p: Parsed): Record<string, unknown> {
  let values: Record<string, unknown> = {};
  for (const file of p.flags.get('values') ?? []) {
    let doc: unknown;
    try {
      doc = parseYaml(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new UsageError(`failed to parse ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (doc !== null && (typeof doc !== 'object' || Array.isArray(doc))) throw new UsageError(`failed to parse ${file}: error unmarshaling JSON: cannot unmarshal into Go value of type map[string]interface {}`);
    values = merge(values, (doc ?? {}) as Record<string, unknown>);
  }
  for (const s of p.flags.get('set') ?? []) applySet(values, s, false);
  for (const s of p.flags.get('set-string') ?? []) applySet(values, s, true);
  if (p.flags.has('set-file') || p.flags.has('set-json')) throw new UsageError('the lab stand-in does not implement --set-file or --set-json');
  return values;
}

async function waitReady(api: KubernetesObjectApi, objects: KubernetesObject[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const o of objects.filter((x) => x.kind === 'Deployment')) {
    for (;;) {
      const d = (await api.read({ apiVersion: o.apiVersion as string, kind: o.kind as string, metadata: { name: o.metadata?.name as string, namespace: o.metadata?.namespace } })) as KubernetesObject & { spec?: { replicas?: number }; status?: { availableReplicas?: number; updatedReplicas?: number } };
      if ((d.status?.availableReplicas ?? 0) >= (d.spec?.replicas ?? 1) && (d.status?.updatedReplicas ?? 0) >= (d.spec?.replicas ?? 1)) break;
      if (Date.now() > deadline) throw new UsageError('timed out waiting for the condition');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function upgrade(args: string[]): Promise<void> {
  const p = parseFlags(args, UPGRADE);
  const kc = kubeConfig(p);
  const namespace = namespaceOf(p, kc);
  const values = p.flags.get('values') ?? [];
  record({
    argv: ['upgrade', ...args],
    context: kc.getCurrentContext(),
    server: kc.getCurrentCluster()?.server,
    kubeconfig: one(p, 'kubeconfig') ?? process.env.KUBECONFIG ?? null,
    kubeconfigMode: mode(one(p, 'kubeconfig') ?? process.env.KUBECONFIG),
    valuesFiles: values.map((f) => ({ file: f, mode: mode(f) })),
    secretVariables: Object.keys(process.env).filter((k) => /^BACKOUT_SECRET_/i.test(k)),
  });
  if (p.positional.length !== 2) throw new UsageError(`"helm upgrade" requires 2 arguments\n\nUsage:  helm upgrade [RELEASE] [CHART] [flags]`);
  const [release, chartRef] = p.positional as [string, string];
  const slash = chartRef.indexOf('/');
  if (slash < 0) throw new UsageError(`path "${chartRef}" not found (the lab stand-in renders charts from a repository: repo/chart)`);
  const repo = chartRef.slice(0, slash);
  findRepository(repositoryConfig(one(p, 'repository-config')), repo);
  const meta = chartMetadata({ repo, name: chartRef.slice(slash + 1), version: one(p, 'version') ?? '' });
  const config = userValues(p);

  const api = KubernetesObjectApi.makeApiClient(kc);
  const store = new ReleaseStore(api);
  const history = await store.history(release, namespace);
  const last = history[history.length - 1];
  // Checked before the chart is rendered (pkg/action/upgrade.go prepareUpgrade: errPending).
  if (last && last.info.status.startsWith('pending-')) throw new UsageError('UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress');
  const objects = render(release, namespace, meta, merge(defaultValues(meta.appVersion), config)).map((o) => owned(o, release, namespace));
  const deployed = [...history].reverse().find((r) => r.info.status === 'deployed');
  const installing = !last || last.info.status === 'uninstalled';
  if (installing && !bool(p, 'install')) throw new UsageError(`UPGRADE FAILED: "${release}" has no deployed releases`);
  const verb = installing ? 'install' : 'update';
  if (installing) console.log(`Release "${release}" does not exist. Installing it now.`);

  // Objects this release does not own yet must be free to adopt.
  const previous = new Set((deployed ? refsOf(deployed.manifest, namespace) : []).map(key));
  for (const o of objects) {
    const ref: Ref = { apiVersion: o.apiVersion as string, kind: o.kind as string, name: o.metadata?.name as string, ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}) };
    if (previous.has(key(ref))) continue;
    const existing = await find(api, ref);
    const problems = existing ? ownershipProblems(existing, release, namespace) : [];
    if (problems.length > 0) {
      throw new UsageError(`${installing ? 'INSTALLATION' : 'UPGRADE'} FAILED: rendered manifests contain a resource that already exists. Unable to continue with ${verb}: ${show(ref)} exists and cannot be imported into the current release: invalid ownership metadata; ${problems.join('; ')}`);
    }
  }

  const revision = (last?.version ?? 0) + 1;
  const time = now();
  const next: Release = {
    name: release,
    namespace,
    version: revision,
    info: { first_deployed: history[0]?.info.first_deployed ?? time, last_deployed: time, deleted: '', description: installing ? 'Initial install underway' : 'Preparing upgrade', status: installing ? 'pending-install' : 'pending-upgrade' },
    chart: { metadata: meta },
    config,
    manifest: manifestOf(objects),
  };
  await store.create(next);
  const finish = async (status: ReleaseStatus, description: string): Promise<void> => {
    next.info = { ...next.info, status, description };
    await store.update(next);
  };
  try {
    if (installing && bool(p, 'create-namespace') && !(await find(api, { apiVersion: 'v1', kind: 'Namespace', name: namespace }))) {
      await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    }
    for (const o of objects) await api.patch(o, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    // What the previous revision rendered and this one does not is deleted (pkg/action/upgrade.go, kube.Update).
    const rendered = new Set(objects.map((o) => key({ apiVersion: o.apiVersion as string, kind: o.kind as string, name: o.metadata?.name as string, ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}) })));
    for (const ref of deployed ? refsOf(deployed.manifest, namespace) : []) {
      if (rendered.has(key(ref))) continue;
      const existing = await find(api, ref);
      if (!existing) continue;
      if (existing.metadata?.annotations?.['helm.sh/resource-policy'] === 'keep') {
        console.log(`Skipping delete of ${show(ref)} due to annotation [helm.sh/resource-policy=keep]`);
        continue;
      }
      await api.delete({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } }, undefined, undefined, undefined, undefined, 'Background');
      console.log(`Deleted ${show(ref)}: not in the new manifest`);
    }
    if (bool(p, 'wait')) await waitReady(api, objects, duration(one(p, 'timeout') ?? '5m'));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await finish('failed', `${installing ? 'Release' : 'Upgrade'} "${release}" failed: ${message}`);
    throw new UsageError(`${installing ? 'INSTALLATION' : 'UPGRADE'} FAILED: ${message}`);
  }
  for (const r of history.filter((h) => h.info.status === 'deployed')) {
    r.info = { ...r.info, status: 'superseded' };
    await store.update(r);
  }
  await finish('deployed', installing ? 'Install complete' : 'Upgrade complete');
  if (!installing) console.log(`Release "${release}" has been upgraded. Happy Helming!`);
  console.log(`NAME: ${release}\nLAST DEPLOYED: ${time}\nNAMESPACE: ${namespace}\nSTATUS: deployed\nREVISION: ${revision}\nTEST SUITE: None`);
}

function output(p: Parsed): 'table' | 'json' | 'yaml' {
  const o = one(p, 'output') ?? 'table';
  if (o !== 'table' && o !== 'json' && o !== 'yaml') throw new UsageError(`invalid argument "${o}" for "-o, --output" flag: invalid format type`);
  return o;
}

function print(format: 'json' | 'yaml', data: unknown): void {
  console.log(format === 'json' ? JSON.stringify(data) : stringifyYaml(data).trimEnd());
}

const chartName = (r: Release): string => `${r.chart.metadata.name}-${r.chart.metadata.version}`;

async function status(args: string[]): Promise<void> {
  const p = parseFlags(args, STATUS);
  if (p.positional.length !== 1) throw new UsageError('"helm status" requires 1 argument');
  const kc = kubeConfig(p);
  const history = await new ReleaseStore(KubernetesObjectApi.makeApiClient(kc)).history(p.positional[0] as string, namespaceOf(p, kc));
  const wanted = one(p, 'revision');
  const r = wanted ? history.find((h) => h.version === Number(wanted)) : history[history.length - 1];
  if (!r) throw new UsageError('release: not found');
  const format = output(p);
  if (format !== 'table') return print(format, { name: r.name, info: r.info, chart: r.chart, config: r.config, manifest: r.manifest, version: r.version, namespace: r.namespace });
  console.log(`NAME: ${r.name}\nLAST DEPLOYED: ${r.info.last_deployed}\nNAMESPACE: ${r.namespace}\nSTATUS: ${r.info.status}\nREVISION: ${r.version}\nTEST SUITE: None`);
}

async function historyCommand(args: string[]): Promise<void> {
  const p = parseFlags(args, HISTORY);
  if (p.positional.length !== 1) throw new UsageError('"helm history" requires 1 argument');
  const kc = kubeConfig(p);
  const history = await new ReleaseStore(KubernetesObjectApi.makeApiClient(kc)).history(p.positional[0] as string, namespaceOf(p, kc));
  if (history.length === 0) throw new UsageError('release: not found');
  const rows = history.slice(-Number(one(p, 'max') ?? 256)).map((r) => ({ revision: r.version, updated: r.info.last_deployed, status: r.info.status, chart: chartName(r), app_version: r.chart.metadata.appVersion, description: r.info.description }));
  const format = output(p);
  if (format !== 'table') return print(format, rows);
  console.log('REVISION\tUPDATED\tSTATUS\tCHART\tAPP VERSION\tDESCRIPTION');
  for (const r of rows) console.log(`${r.revision}\t${r.updated}\t${r.status}\t${r.chart}\t${r.app_version}\t${r.description}`);
}

async function list(args: string[]): Promise<void> {
  const p = parseFlags(args, LIST);
  if (p.positional.length > 0) throw new UsageError(`unknown command "${p.positional[0]}" for "helm list"`);
  const kc = kubeConfig(p);
  const all = await new ReleaseStore(KubernetesObjectApi.makeApiClient(kc)).all(bool(p, 'all-namespaces') ? undefined : namespaceOf(p, kc));
  const latest = new Map<string, Release>();
  for (const r of all) {
    const k = `${r.namespace}/${r.name}`;
    if ((latest.get(k)?.version ?? 0) < r.version) latest.set(k, r);
  }
  // By default only deployed and failed releases are listed (helm.sh/docs/helm/helm_list); --all lists every status.
  const shown = [...latest.values()].filter((r) => bool(p, 'all') || r.info.status === 'deployed' || r.info.status === 'failed').sort((a, b) => a.name.localeCompare(b.name));
  const rows = shown.map((r) => ({ name: r.name, namespace: r.namespace, revision: String(r.version), updated: r.info.last_deployed, status: r.info.status, chart: chartName(r), app_version: r.chart.metadata.appVersion }));
  const format = output(p);
  if (format !== 'table') return print(format, rows);
  console.log('NAME\tNAMESPACE\tREVISION\tUPDATED\tSTATUS\tCHART\tAPP VERSION');
  for (const r of rows) console.log(`${r.name}\t${r.namespace}\t${r.revision}\t${r.updated}\t${r.status}\t${r.chart}\t${r.app_version}`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'version': {
        const p = parseFlags(rest, VERSION);
        console.log(bool(p, 'short') ? `${HELM_VERSION}+gbackoutlab` : `version.BuildInfo{Version:"${HELM_VERSION}", GitCommit:"backout-lab-stand-in"}`);
        return 0;
      }
      case 'repo': {
        const [sub, ...more] = rest;
        if (sub !== 'add') throw new UsageError(`unknown command "${sub ?? ''}" for "helm repo" (the lab stand-in implements repo add)`);
        const p = parseFlags(more, REPO_ADD);
        record({ argv: ['repo', ...rest], secretVariables: Object.keys(process.env).filter((k) => /^BACKOUT_SECRET_/i.test(k)) });
        if (p.positional.length !== 2) throw new UsageError('"helm repo add" requires 2 arguments');
        console.log(addRepository(repositoryConfig(one(p, 'repository-config')), p.positional[0] as string, p.positional[1] as string, bool(p, 'force-update')));
        return 0;
      }
      case 'upgrade':
        await upgrade(rest);
        return 0;
      case 'status':
        await status(rest);
        return 0;
      case 'history':
        await historyCommand(rest);
        return 0;
      case 'list':
      case 'ls':
        await list(rest);
        return 0;
      default:
        throw new UsageError(`unknown command "${command ?? ''}" for "helm" (the lab stand-in implements version, repo add, upgrade, status, history, list)`);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`Error: ${message}`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
