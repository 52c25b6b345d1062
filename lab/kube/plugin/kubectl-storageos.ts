// A stand-in for the kubectl-storageos plugin (storageos/kubectl-storageos), which cannot run here (it pulls the
// operator's release manifests from GitHub). It does what `install` documents, through the API of the cluster of the
// kubeconfig's CURRENT context — the plugin has no --context flag (pkg/utils/k8s.go builds its client from empty
// config flags, so $KUBECONFIG or ~/.kube/config and their current-context decide) — and refuses what the plugin
// refuses: unknown subcommands and flags (cobra), a config file of another kind. Each call can be recorded (argv,
// context, file modes, whether any BACKOUT_SECRET_* reached it) to $BACKOUT_LAB_PLUGIN_LOG for tests.
import * as fs from 'fs';
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { INSTALL_FLAGS, installSettings, parseFlags, UsageError, type InstallSettings } from './options';

const PLUGIN_VERSION = '1.3.2';
/** What the plugin installs when no version is given: the latest operator release (ondat/charts values.yaml: v2.8.0). */
const LATEST = 'v2.8.0';
const FIELD_MANAGER = 'kubectl-storageos';

function mode(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return (fs.statSync(file).mode & 0o777).toString(8).padStart(4, '0');
  } catch {
    return undefined;
  }
}

function record(entry: Record<string, unknown>): void {
  const log = process.env.BACKOUT_LAB_PLUGIN_LOG;
  if (log) fs.appendFileSync(log, `${JSON.stringify(entry)}\n`);
}

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  if (!kc.getCurrentContext()) throw new UsageError('invalid configuration: no configuration has been provided (the kubeconfig sets no current-context)');
  if (!kc.getCurrentCluster()) throw new UsageError(`invalid configuration: context "${kc.getCurrentContext()}" names no cluster`);
  return kc;
}

async function apply(api: KubernetesObjectApi, obj: KubernetesObject): Promise<void> {
  await api.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  console.log(`   ${obj.kind} ${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name} applied`);
}

function operatorDeployment(namespace: string, version: string): KubernetesObject {
  const labels = { 'control-plane': 'storageos-operator', 'app.kubernetes.io/component': 'operator', app: 'storageos' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'storageos-operator', namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'control-plane': 'storageos-operator' } },
      template: { metadata: { labels }, spec: { containers: [{ name: 'manager', image: `storageos/operator:${version}` }] } },
    },
  } as KubernetesObject;
}

/** The cluster the plugin creates unless told to skip it: the Secret and StorageOSCluster of its install manifests. */
function clusterObjects(s: InstallSettings, version: string): KubernetesObject[] {
  if (s.clusterYaml) {
    return parseAllDocuments(fs.readFileSync(s.clusterYaml, 'utf8')).map((d) => d.toJS() as KubernetesObject).filter((o) => o && o.kind);
  }
  if (!s.etcdEndpoints) throw new UsageError('etcd endpoints are required: no --etcd-endpoints or spec.install.etcdEndpoints given, and there is no terminal to ask for them');
  if (!s.adminPassword) throw new UsageError('an admin password is required (--admin-password or spec.install.adminPassword)');
  const ns = s.clusterNamespace;
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'storageos-api', namespace: ns, labels: { app: 'storageos' } }, stringData: { username: s.adminUsername, password: s.adminPassword } } as KubernetesObject,
    {
      apiVersion: 'storageos.com/v1',
      kind: 'StorageOSCluster',
      metadata: { name: 'storageos-cluster', namespace: ns },
      spec: {
        secretRefName: 'storageos-api',
        storageClassName: 'storageos',
        images: { nodeContainer: `storageos/node:${version}` },
        kvBackend: { address: s.etcdEndpoints },
        ...(s.etcdTLSEnabled ? { tlsEtcdSecretRefName: s.etcdSecretName ?? 'storageos-etcd-secret', tlsEtcdSecretRefNamespace: ns } : {}),
      },
    } as KubernetesObject,
  ];
}

async function waitAvailable(api: KubernetesObjectApi, namespace: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const d = (await api.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'storageos-operator', namespace } })) as KubernetesObject & { status?: { availableReplicas?: number } };
    if ((d.status?.availableReplicas ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for deployment ${namespace}/storageos-operator to become available`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function install(args: string[]): Promise<void> {
  const flags = parseFlags(args, INSTALL_FLAGS);
  const settings = installSettings(flags);
  const kc = kubeConfig();
  const configDir = flags.get('stos-config-path');
  record({
    argv: ['install', ...args],
    context: kc.getCurrentContext(),
    server: kc.getCurrentCluster()?.server,
    kubeconfig: process.env.KUBECONFIG ?? null,
    kubeconfigMode: mode(process.env.KUBECONFIG),
    settingsFrom: settings.origin,
    configMode: configDir ? mode(`${configDir}/kubectl-storageos-config.yaml`) : null,
    version: settings.version ?? null,
    skipStorageOSCluster: settings.skipStorageOSCluster,
    secretVariables: Object.keys(process.env).filter((k) => /^BACKOUT_SECRET_/i.test(k)),
  });
  if (settings.includeEtcd) throw new UsageError('the lab stand-in does not install etcd (--include-etcd); a downgrade must never touch it');
  const version = settings.version ?? LATEST;
  if (!settings.version) console.log(`   no version given: installing the latest, ${LATEST}`);
  console.log(`Installing StorageOS ${version} on context ${kc.getCurrentContext()} (${kc.getCurrentCluster()?.server}); settings from ${settings.origin}`);
  const api = KubernetesObjectApi.makeApiClient(kc);
  await apply(api, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: settings.operatorNamespace } } as KubernetesObject);
  await apply(api, operatorDeployment(settings.operatorNamespace, version));
  if (!settings.skipStorageOSCluster) {
    if (settings.clusterNamespace !== settings.operatorNamespace) await apply(api, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: settings.clusterNamespace } } as KubernetesObject);
    for (const o of clusterObjects(settings, version)) await apply(api, o);
  }
  if (settings.wait) await waitAvailable(api, settings.operatorNamespace);
  console.log('StorageOS installed');
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'version':
        if (rest.length > 0) throw new UsageError(`unknown flag: ${rest[0]}`);
        console.log(`kubectl-storageos version ${PLUGIN_VERSION} (Backout lab stand-in)`);
        return 0;
      case 'install':
        await install(rest);
        return 0;
      default:
        throw new UsageError(`unknown command "${command ?? ''}" for "kubectl-storageos" (the lab stand-in implements install and version)`);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`Error: ${message}`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
