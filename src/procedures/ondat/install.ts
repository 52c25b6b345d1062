// Step 3 of the vendor procedure, "Install Ondat v2.6.0", by the method the user picked, always pinned, and done as
// the vendor's upgrade page does it: the cluster's own StorageOSCluster (saved before the uninstall) comes back with
// only what 2.6.0 needs changed, and its Secrets are the ones it had. Local tools run through the kube executor's
// run-tool (src/core/tool-run.ts): the run's context only, settings in 0600 files, nothing secret in argv.
import type { JsonObject } from '../../core/json';
import type { Step, StepInstance } from '../../core/plan';
import { DIR_REF, fileRef, KUBECONFIG_REF, type ToolRun } from '../../core/tool-run';
import type { OndatFacts, StorageOSClusterFact } from './facts';
import type { HelmDecision } from './helm-decision';
import { helmValues } from './helm-values';
import { checkInstallManifests } from './install-manifests';
import { createOrAdoptAction, getAction, runToolAction } from './kube-operations';
import { HELM_CHART, HELM_REPO_NAME, HELM_REPO_URL, STORAGEOS_CLUSTER, TARGET_VERSION } from './names';
import type { OndatParams } from './parameters';
import { REINSTALL_ANNOTATION, reinstallCluster, type ReinstallCluster } from './reinstall';
import { stringify as stringifyYaml } from 'yaml';

const SOURCE = 'Step 3 - Install Ondat v2.6.0: "You will now be able to use Ondat v2.6.0."';
const UPGRADE_SOURCE = 'docs/upgrade/upgrade.md (the downgrade page: "uninstall as if you are starting an upgrade"): keep the cluster\'s StorageOSCluster and Secrets';
const MINUTE = 60_000;
/** The plugin's config file name in the folder given with --stos-config-path (kubectl-storageos cmd/plugin/cli/install.go). */
export const PLUGIN_CONFIG_FILE = 'kubectl-storageos-config.yaml';
/** Where the plugin installs the operator unless told otherwise (kubectl-storageos pkg/consts NewOperatorNamespace). */
const PLUGIN_OPERATOR_NAMESPACE = 'storageos';

export interface InstallInputs {
  params: OndatParams;
  facts?: OndatFacts;
  cluster?: StorageOSClusterFact;
  helm: HelmDecision;
  /** Stands for a name only discovery knows. */
  unknown: string;
  pending: string;
}

export interface InstallPlan {
  steps: Step[];
  refusals: string[];
  warnings: string[];
  /** The StorageOSCluster 2.6.0 runs with and how it differs from the saved 2.7 one. */
  reinstall?: ReinstallCluster;
  dependsOnDiscovery: boolean;
}

/** The cluster discovery saw (kube-system's uid), re-checked by each install action right before it acts: the
 * kubeconfig may have been edited between plan and run, and the same context name may now lead elsewhere. */
function clusterGuard(i: InstallInputs): { clusterUid?: string } {
  return i.facts?.clusterUid ? { clusterUid: i.facts.clusterUid } : {};
}

/** The saved CR with the etcdEndpoints parameter applied, when given. */
function savedCluster(i: InstallInputs): JsonObject | undefined {
  const saved = i.cluster?.object;
  if (!saved || !i.params.etcdEndpoints) return saved;
  const spec = (saved.spec ?? {}) as JsonObject;
  return { ...saved, spec: { ...spec, kvBackend: { ...((spec.kvBackend ?? {}) as JsonObject), address: i.params.etcdEndpoints } } };
}

function secretsStep(i: InstallInputs, method: OndatParams['installMethod']): Step | undefined {
  const cl = i.cluster;
  if (!cl) return undefined;
  // The chart renders the admin Secret itself; the TLS Secret is always the cluster's own.
  const refs = [...(method === 'helm' ? [] : [cl.secretRef]), cl.etcdTlsSecretRef].filter((r): r is NonNullable<typeof r> => r !== undefined);
  if (refs.length === 0) return undefined;
  return {
    id: 'check-cluster-secrets',
    title: `Check that the cluster's own Secrets are still there (${refs.map((r) => `${r.namespace}/${r.name}`).join(', ')}); they were saved in backup/ before the uninstall`,
    source: UPGRADE_SOURCE,
    kind: 'kube',
    destructive: false,
    idempotent: true,
    timeoutMs: MINUTE,
    instances: refs.map((r) => ({ instance: `Secret/${r.namespace}/${r.name}`, action: getAction(i.params.context, { apiVersion: 'v1', kind: 'Secret' }, r.namespace, r.name) })),
  };
}

function createClusterStep(i: InstallInputs, r: ReinstallCluster | undefined): Step {
  const ctx = i.params.context;
  const meta = (r?.object.metadata ?? {}) as JsonObject;
  const ns = typeof meta.namespace === 'string' ? meta.namespace : i.unknown;
  const name = typeof meta.name === 'string' ? meta.name : i.unknown;
  const manifest = r ? stringifyYaml(r.object) : `# the saved StorageOSCluster with spec.images.nodeContainer: storageos/node:v${TARGET_VERSION} (known after discovery)\n`;
  const annotations = (meta.annotations ?? {}) as JsonObject;
  const marker = typeof annotations[REINSTALL_ANNOTATION] === 'string' ? (annotations[REINSTALL_ANNOTATION] as string) : undefined;
  const instance: StepInstance = {
    instance: r ? `${ns}/${name}` : i.pending,
    action: createOrAdoptAction(ctx, manifest, STORAGEOS_CLUSTER, ns, name, { replaceTimeoutSeconds: 300, ...(marker ? { adoptWhenAnnotation: { key: REINSTALL_ANNOTATION, value: marker } } : {}), ...clusterGuard(i) }),
  };
  return {
    id: 'create-storageoscluster',
    title: `Recreate the StorageOSCluster ${r ? `${ns}/${name}` : '(saved before the uninstall)'} for v${TARGET_VERSION}, changed only where 2.6.0 needs it${r ? `: ${r.changes.join('; ')}` : ''}`,
    source: `${SOURCE} ${UPGRADE_SOURCE}; only the node image changes.`,
    kind: 'kube',
    destructive: true,
    idempotent: true,
    timeoutMs: 6 * MINUTE,
    instances: [instance],
  };
}

function pluginRun(i: InstallInputs): ToolRun {
  const cl = i.cluster;
  const spec = ((savedCluster(i)?.spec ?? {}) as JsonObject);
  const kv = (spec.kvBackend ?? {}) as JsonObject;
  const install: JsonObject = {
    storageOSVersion: `v${i.params.version}`,
    storageOSOperatorNamespace: PLUGIN_OPERATOR_NAMESPACE,
    storageOSClusterNamespace: cl?.namespace ?? i.unknown,
    etcdEndpoints: typeof kv.address === 'string' ? kv.address : i.unknown,
    wait: true,
  };
  if (cl?.etcdTlsSecretRef) {
    install.etcdTLSEnabled = true;
    install.etcdSecretName = cl.etcdTlsSecretRef.name;
  }
  const config: JsonObject = {
    apiVersion: 'storageos.com/v1',
    kind: 'KubectlStorageOSConfig',
    metadata: { name: 'backout-downgrade-2-7-to-2-6' },
    // The cluster is recreated from the saved one in the next step (skipStorageOSCluster), with the same etcd.
    spec: { skipStorageOSCluster: true, includeEtcd: false, install },
  };
  return {
    tool: 'kubectl-storageos',
    args: ['install', '--stos-config-path', DIR_REF],
    files: [{ name: PLUGIN_CONFIG_FILE, format: 'yaml', data: config }],
    ...(i.facts?.clusterUid ? { clusterUid: i.facts.clusterUid } : {}),
  };
}

function helmRun(i: InstallInputs, values: JsonObject): ToolRun {
  const { params, helm } = i;
  return {
    tool: 'helm',
    args: [
      'upgrade', '--install', helm.release.name, HELM_CHART,
      '--version', params.chartVersion,
      '--namespace', helm.release.namespace, '--create-namespace',
      '--kubeconfig', KUBECONFIG_REF, '--kube-context', params.context,
      '-f', fileRef('values.yaml'),
      '--wait', '--timeout', '15m',
    ],
    files: [{ name: 'values.yaml', format: 'yaml', data: values }],
    releaseNotPending: { name: helm.release.name, namespace: helm.release.namespace },
    ...(i.facts?.clusterUid ? { clusterUid: i.facts.clusterUid } : {}),
  };
}

/** The steps that install 2.6.0; the version is always explicit. */
export function installSteps(i: InstallInputs): InstallPlan {
  const { params } = i;
  const version = `v${params.version}`;
  const saved = savedCluster(i);
  const reinstall = saved ? reinstallCluster(saved) : undefined;
  const refusals: string[] = [];
  const warnings: string[] = [];
  const secrets = secretsStep(i, params.installMethod);
  const steps: Step[] = secrets ? [secrets] : [];
  let dependsOnDiscovery = !saved;
  switch (params.installMethod) {
    case 'kubectl-storageos':
      steps.push({
        id: 'install-ondat-operator',
        title: `Install the Ondat ${version} operator with kubectl-storageos (version pinned in its config file; the cluster comes next, from the saved one)`,
        source: `${SOURCE} kubectl-storageos install reads its settings from ${PLUGIN_CONFIG_FILE} in --stos-config-path (KubectlStorageOSConfig, api/v1/kubectlstorageosconfig_types.go); omitting the version installs the latest.`,
        kind: 'kube',
        destructive: true,
        idempotent: false,
        timeoutMs: 20 * MINUTE,
        instances: [{ instance: params.context, action: runToolAction(params.context, pluginRun(i)) }],
      });
      steps.push(createClusterStep(i, reinstall));
      break;
    case 'helm': {
      const hv = saved ? helmValues(saved, params.adminUsername, '${secret:adminPassword}') : undefined;
      if (hv && hv.lost.length > 0) {
        refusals.push(`installMethod=helm cannot reinstall the cluster as it was: chart ${HELM_CHART} ${params.chartVersion} cannot render ${hv.lost.join(', ')} of the saved StorageOSCluster, so Helm would drop them. Use installMethod=kubectl-storageos or manifests, which recreate the saved StorageOSCluster as it is.`);
      }
      if (hv) warnings.push(`installMethod=helm: the chart renders the admin Secret ${i.cluster?.secretRef ? `${i.cluster.secretRef.namespace}/${i.cluster.secretRef.name} ` : ''}from adminUsername and adminPassword: they must be the cluster's current admin credentials (Ondat keeps its users in etcd).`);
      steps.push({
        id: 'helm-repo',
        title: `Make the Helm repository ${HELM_REPO_NAME} (${HELM_REPO_URL}) available`,
        source: `${SOURCE} Helm chart ${HELM_CHART} ${params.chartVersion} has appVersion v2.6.0.`,
        kind: 'local',
        destructive: false,
        idempotent: true,
        timeoutMs: 5 * MINUTE,
        instances: [{ instance: 'local', action: { kind: 'local', argv: ['helm', 'repo', 'add', HELM_REPO_NAME, HELM_REPO_URL, '--force-update'] } }],
      });
      steps.push({
        id: 'install-ondat-operator',
        title: `Install Ondat ${version} with Helm chart ${HELM_CHART} ${params.chartVersion} (release ${i.helm.release.name} in ${i.helm.release.namespace}; values from the saved StorageOSCluster in a 0600 values file)`,
        source: `${SOURCE} Helm chart ${HELM_CHART} ${params.chartVersion} (appVersion v2.6.0), pinned with --version; values in a file, never --set (helm docs, "The Format and Limitations of --set").`,
        kind: 'kube',
        destructive: true,
        idempotent: true,
        timeoutMs: 20 * MINUTE,
        instances: [{ instance: params.context, action: runToolAction(params.context, helmRun(i, hv?.values ?? { cluster: { create: true, kvBackend: { address: i.unknown } } })) }],
      });
      break;
    }
    case 'manifests': {
      const m = i.facts?.manifests;
      if (!params.manifestsFile) {
        refusals.push('installMethod=manifests needs manifestsFile: the absolute path of a YAML file with the Ondat v2.6.0 manifests (e.g. the operator release\'s storageos-operator.yaml)');
        break;
      }
      if (!m) {
        dependsOnDiscovery = true;
        steps.push({
          id: 'install-ondat-operator',
          title: `Install Ondat ${version} from the manifests in ${params.manifestsFile} (read when planning against the cluster)`,
          source: `${SOURCE} Manifests provided by the user, applied through the API.`,
          kind: 'kube',
          destructive: true,
          idempotent: true,
          timeoutMs: 10 * MINUTE,
          instances: [{ instance: i.pending, action: createOrAdoptAction(params.context, `# objects of ${params.manifestsFile}\n`, { apiVersion: 'v1', kind: 'List' }, undefined, i.unknown, { replaceTimeoutSeconds: 120 }) }],
        });
        steps.push(createClusterStep(i, reinstall));
        break;
      }
      const check = checkInstallManifests(m.text);
      if (check.problems.length > 0) refusals.push(`manifestsFile ${m.file} cannot be installed as it is: ${check.problems.join('; ')}`);
      const kept = [i.cluster?.secretRef, i.cluster?.etcdTlsSecretRef].filter((r): r is NonNullable<typeof r> => r !== undefined);
      const objects = check.objects.filter((o) => {
        if (o.kind === 'StorageOSCluster') {
          warnings.push(`manifestsFile: StorageOSCluster ${o.namespace ?? ''}/${o.name} is not applied; the saved cluster is recreated instead (${UPGRADE_SOURCE}).`);
          return false;
        }
        if (o.kind === 'Secret' && kept.some((k) => k.name === o.name && k.namespace === (o.namespace ?? ''))) {
          warnings.push(`manifestsFile: Secret ${o.namespace}/${o.name} is not applied; the cluster keeps its own.`);
          return false;
        }
        return true;
      });
      steps.push({
        id: 'install-ondat-operator',
        title: `Install the Ondat ${version} operator from ${m.file} (${objects.length} objects)`,
        source: `${SOURCE} Manifests provided by the user, applied through the API; every Ondat image pinned.`,
        kind: 'kube',
        destructive: true,
        idempotent: true,
        timeoutMs: 10 * MINUTE,
        concurrency: 1,
        instances: objects.map((o) => ({
          instance: `${o.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`,
          action: createOrAdoptAction(params.context, o.text, { apiVersion: o.apiVersion, kind: o.kind }, o.namespace, o.name, { replaceTimeoutSeconds: 120, ...clusterGuard(i) }),
        })),
      });
      steps.push(createClusterStep(i, reinstall));
      break;
    }
  }
  return { steps, refusals, warnings, ...(reinstall ? { reinstall } : {}), dependsOnDiscovery };
}

/** The local tool a method needs, and how to check it is there. */
export function toolCheckArgv(method: OndatParams['installMethod']): { tool: 'helm' | 'kubectl-storageos'; argv: string[] } | undefined {
  if (method === 'helm') return { tool: 'helm', argv: ['helm', 'version', '--short'] };
  if (method === 'kubectl-storageos') return { tool: 'kubectl-storageos', argv: ['kubectl-storageos', 'version'] };
  return undefined;
}
