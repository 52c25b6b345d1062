// The procedure's parameters: the target context, how 2.6.0 is installed, whether Backout may scale workloads, and
// the downgrade template with its per-run overrides.
import type { ParameterDefinition } from '../../core/parameters';
import type { ParamValues } from '../../core/plan';
import { HELM_CHART_DEFAULT_VERSION, HELM_CHART_VERSIONS_FOR_2_6_0, HELM_RELEASE_PATTERN, helmReleaseProblem, TARGET_VERSION } from './names';
import type { TemplateOverrides } from './downgrade-template';
import { MAX_TIMEOUT_SECONDS, MIN_TIMEOUT_SECONDS } from './template-parameters';

export type InstallMethod = 'kubectl-storageos' | 'helm' | 'manifests';

// Helm's parameters matter only when 2.6.0 is installed with Helm: Start Rollback does not ask them otherwise.
const HELM = { installMethod: ['helm'] } as const;

export const ONDAT_PARAMETERS: readonly ParameterDefinition[] = [
  { name: 'context', type: 'string', description: 'The kubeconfig context of the cluster (named on every call; the current context is never changed).' },
  {
    name: 'installMethod',
    type: 'enum',
    values: ['kubectl-storageos', 'helm', 'manifests'],
    valueDescriptions: {
      'kubectl-storageos': 'The kubectl-storageos plugin installs the operator and cluster (needs the plugin on PATH).',
      helm: 'The Helm chart ondat/ondat-operator, pinned to a chart version whose appVersion is v2.6.0.',
      manifests: 'Manifests you provide (the Ondat v2.6.0 release manifests).',
    },
    default: 'kubectl-storageos',
    description: 'How Ondat v2.6.0 is installed after the downgrade: the kubectl-storageos plugin, the Helm chart ondat/ondat-operator, or manifests you provide.',
  },
  {
    name: 'version',
    type: 'version',
    default: TARGET_VERSION,
    description: 'The Ondat version to install: 2.7.x can only be rolled back to 2.6.0.',
    validate: (v) => (v === TARGET_VERSION ? undefined : `is ${v}; Ondat 2.7 can only be rolled back to ${TARGET_VERSION} (2.7.0 release notes)`),
    advanced: true,
  },
  {
    name: 'chartVersion',
    type: 'string',
    default: HELM_CHART_DEFAULT_VERSION,
    description: `Helm chart version of ondat/ondat-operator whose appVersion is v${TARGET_VERSION} (${HELM_CHART_VERSIONS_FOR_2_6_0.join(' or ')}); always pinned.`,
    validate: (v) =>
      HELM_CHART_VERSIONS_FOR_2_6_0.includes(v)
        ? undefined
        : `is "${v}"; use an exact chart version that installs v${TARGET_VERSION}: ${HELM_CHART_VERSIONS_FOR_2_6_0.join(' or ')} (ranges and "latest" are refused)`,
    appliesWhen: HELM,
    advanced: true,
  },
  { name: 'helmRelease', type: 'string', required: false, description: 'Helm release name (default: the release found on the operator, else "ondat").', pattern: HELM_RELEASE_PATTERN, patternDescription: 'a Helm release name: lowercase letters, digits and -', validate: helmReleaseProblem, appliesWhen: HELM, advanced: true },
  { name: 'helmNamespace', type: 'string', required: false, description: 'Namespace of the Helm release (default: the operator\'s namespace found, else "storageos").', pattern: '[a-z0-9]([-a-z0-9]*[a-z0-9])?', patternDescription: 'a namespace name', appliesWhen: HELM, advanced: true },
  { name: 'etcdEndpoints', type: 'string', required: false, description: 'etcd endpoints for the 2.6.0 install (default: spec.kvBackend.address of the current StorageOSCluster, so the same etcd is used).', advanced: true },
  { name: 'adminUsername', type: 'string', default: 'storageos', description: 'installMethod=helm: the cluster\'s current Ondat admin user (the chart renders the admin Secret from it).', appliesWhen: HELM, advanced: true },
  {
    name: 'adminPassword',
    type: 'string',
    required: false,
    secret: true,
    description: 'installMethod=helm: the cluster\'s current Ondat admin password (asked for when the run starts if not given; reaches only a 0600 values file, never stored). The plugin and manifests keep the cluster\'s own Secret.',
    appliesWhen: HELM,
    advanced: true,
  },
  {
    name: 'manifestsFile',
    type: 'string',
    required: false,
    description: 'installMethod=manifests: absolute path of a YAML file with the Ondat v2.6.0 manifests (the operator and what it needs); read when planning and shown in the plan.',
    pattern: '(/|[A-Za-z]:[\\\\/]).*',
    patternDescription: 'an absolute path to the manifests file (e.g. /home/me/ondat-2.6.0.yaml)',
    appliesWhen: { installMethod: ['manifests'] },
  },
  // On by default: the vendor's first prerequisite is that no workload uses an Ondat volume, and the scale-down is a
  // destructive step whose gate names every workload and its recorded count, so nothing is scaled unconfirmed. Off: the
  // plan refuses while workloads use Ondat volumes, for those who stop them by hand.
  {
    name: 'scaleWorkloads',
    type: 'boolean',
    default: true,
    description: 'Scale workloads that use Ondat volumes to zero before the downgrade (a gate names each one) and back to their recorded replica counts after verification. false: stop them yourself first; the plan refuses while any uses an Ondat volume.',
  },
  {
    name: 'backupConfirmed',
    type: 'boolean',
    default: false,
    description: 'Confirms up front, for unattended runs, that backups of the stateful applications exist; recorded with the run. Otherwise the run asks.',
    advanced: true,
  },
  { name: 'template', type: 'string', required: false, description: 'The full text of an edited downgrade DaemonSet template (default: the built-in one).', advanced: true },
  { name: 'namespace', type: 'string', required: false, description: 'Template override: namespace of the downgrade DaemonSet (built-in: kube-system).', advanced: true },
  { name: 'image', type: 'string', required: false, description: 'Template override: the downgrade image, pinned.', advanced: true },
  { name: 'serviceAccount', type: 'string', required: false, description: 'Template override: ServiceAccount of the downgrade pods.', advanced: true },
  { name: 'nodeSelector', type: 'string', required: false, description: 'Template override: node labels as key=value,key=value (empty: every node).', advanced: true },
  { name: 'imagePullSecret', type: 'string', required: false, description: 'Template override: image pull Secret name (empty: none).', advanced: true },
  {
    name: 'timeoutSeconds',
    type: 'number',
    integer: true,
    min: MIN_TIMEOUT_SECONDS,
    max: MAX_TIMEOUT_SECONDS,
    required: false,
    description: 'Template override: how long the downgrade of all nodes may take.',
    advanced: true,
  },
  { name: 'cliTool', type: 'enum', values: ['kubectl', 'oc'], required: false, description: 'Template override: kubectl, or oc on OpenShift (for the exported script).', advanced: true },
];

export interface OndatParams {
  context: string;
  installMethod: InstallMethod;
  version: string;
  chartVersion: string;
  helmRelease?: string;
  helmNamespace?: string;
  etcdEndpoints?: string;
  adminUsername: string;
  hasAdminPassword: boolean;
  manifestsFile?: string;
  scaleWorkloads: boolean;
  backupConfirmed: boolean;
  template?: string;
  overrides: TemplateOverrides;
}

function text(values: ParamValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The typed view of validated parameter values. */
export function readParams(values: ParamValues): OndatParams {
  const overrides: TemplateOverrides = {};
  for (const name of ['namespace', 'image', 'serviceAccount', 'nodeSelector', 'imagePullSecret', 'timeoutSeconds', 'cliTool'] as const) {
    const v = values[name];
    if (v !== undefined && typeof v !== 'boolean') overrides[name] = v;
  }
  const opt = (name: string): Record<string, string> => {
    const v = text(values, name);
    return v !== undefined ? { [name]: v } : {};
  };
  return {
    context: String(values.context ?? ''),
    installMethod: (values.installMethod as InstallMethod | undefined) ?? 'kubectl-storageos',
    version: String(values.version ?? TARGET_VERSION),
    chartVersion: String(values.chartVersion ?? HELM_CHART_DEFAULT_VERSION),
    ...opt('helmRelease'),
    ...opt('helmNamespace'),
    ...opt('etcdEndpoints'),
    adminUsername: String(values.adminUsername ?? 'storageos'),
    hasAdminPassword: values.adminPassword !== undefined,
    ...opt('manifestsFile'),
    scaleWorkloads: values.scaleWorkloads !== false,
    backupConfirmed: values.backupConfirmed === true,
    ...opt('template'),
    overrides,
  };
}
