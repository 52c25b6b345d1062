// The one chart the stand-in can render: ondat/ondat-operator 0.5.4 / 0.5.5 (appVersion v2.6.0), as the vendor's
// templates render it (ondat/charts charts/ondat-operator: templates/operator.yaml, config-maps.yaml, secrets.yaml,
// storageoscluster_cr.yaml; values.yaml), reduced to the objects the downgrade and the docs look at: the operator
// Deployment `<release>-ondat-operator` in the release namespace, the related-images ConfigMap it reads its images
// from (the operator's envFrom), and — with cluster.create — the admin Secret and the StorageOSCluster.
import type { KubernetesObject } from '@kubernetes/client-node';
import { UsageError } from './flags';
import type { ChartMetadata } from './storage';

type Values = Record<string, unknown>;

export interface ChartSource {
  repo: string;
  name: string;
  version: string;
}

/** The chart versions of the repository's index the stand-in knows how to render. */
const RENDERABLE: Readonly<Record<string, string>> = { '0.5.4': 'v2.6.0', '0.5.5': 'v2.6.0' };

export function chartMetadata(c: ChartSource): ChartMetadata {
  const appVersion = RENDERABLE[c.version];
  if (c.name !== 'ondat-operator' || appVersion === undefined) {
    throw new UsageError(`chart "${c.name}" matching ${c.version || '(latest)'} not found in ${c.repo} index (the lab stand-in renders ondat-operator ${Object.keys(RENDERABLE).join(' and ')} only)`);
  }
  return { name: c.name, version: c.version, appVersion, apiVersion: 'v2', description: 'Cloud Native storage for containers' };
}

/** values.yaml of ondat-operator 0.5.5 (the parts its templates above use). */
export function defaultValues(appVersion: string): Values {
  return {
    images: {
      operator: { repository: 'storageos/operator', tag: appVersion },
      node: { repository: 'storageos/node', tag: appVersion },
      apiManager: { repository: 'storageos/api-manager', tag: 'v1.2.5' },
      init: { repository: 'storageos/init', tag: 'v2.1.1' },
      kubeRbacProxy: { repository: 'quay.io/brancz/kube-rbac-proxy', tag: 'v0.10.0' },
    },
    cluster: {
      create: true,
      name: 'storageos',
      namespace: 'storageos',
      secretRefName: 'storageos-api',
      admin: { username: 'storageos', password: '' },
      storageClassName: 'storageos',
      disableTelemetry: false,
      kvBackend: { address: '', backend: 'etcd', tlsSecretName: 'storageos-etcd-secret', tlsSecretNamespace: 'storageos' },
      resources: {},
      nodeSelectorTerm: { key: '', value: '' },
      toleration: { key: '', value: '' },
      metricsExporter: { enabled: false },
    },
  };
}

/** Helm's coalescing of user values over the chart's (maps merge key by key; anything else replaces). */
export function merge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isMap(b) && isMap(v) ? merge(b, v) : v;
  }
  return out;
}

function isMap(v: unknown): v is Values {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function at(v: Values, ...path: string[]): unknown {
  let cur: unknown = v;
  for (const p of path) cur = isMap(cur) ? cur[p] : undefined;
  return cur;
}

function str(v: Values, ...path: string[]): string {
  const x = at(v, ...path);
  return x === undefined || x === null ? '' : String(x);
}

/** `{{ required "msg" x }}`: Helm fails the render with the message. */
function required(v: Values, message: string, ...path: string[]): string {
  const s = str(v, ...path);
  if (s === '') throw new UsageError(`execution error at (ondat-operator/templates/${message}`);
  return s;
}

export function render(release: string, namespace: string, meta: ChartMetadata, values: Values): KubernetesObject[] {
  const chartLabel = `${meta.name}-${meta.version}`;
  const image = (name: string): string => `${str(values, 'images', name, 'repository')}:${str(values, 'images', name, 'tag')}`;
  const selector = { app: 'storageos', 'app.kubernetes.io/component': 'operator', 'control-plane': 'controller-manager', release };
  // storageos.fullname: the release name, suffixed with the chart name unless it already contains it.
  const fullname = release.includes(meta.name) ? release : `${release}-${meta.name}`;
  const objects: KubernetesObject[] = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'storageos-related-images', namespace, labels: { app: 'storageos', chart: chartLabel, release, heritage: 'Helm' } },
      data: {
        RELATED_IMAGE_API_MANAGER: image('apiManager'),
        RELATED_IMAGE_STORAGEOS_INIT: image('init'),
        RELATED_IMAGE_STORAGEOS_NODE: image('node'),
      },
    } as KubernetesObject,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: fullname, namespace, labels: { ...selector, chart: chartLabel, heritage: 'Helm' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: selector },
          spec: {
            containers: [
              { name: 'manager', image: image('operator'), command: ['/manager'], args: ['--config=operator_config.yaml'], envFrom: [{ configMapRef: { name: 'storageos-related-images' } }] },
              { name: 'kube-rbac-proxy', image: image('kubeRbacProxy'), ports: [{ containerPort: 8443, name: 'https' }] },
            ],
          },
        },
      },
    } as KubernetesObject,
  ];
  if (at(values, 'cluster', 'create') !== true) return objects;
  const ns = str(values, 'cluster', 'namespace');
  const password = required(values, 'secrets.yaml): cluster.admin.password must be set', 'cluster', 'admin', 'password');
  objects.push({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: str(values, 'cluster', 'secretRefName'), namespace: ns, labels: { app: 'storageos', 'app.kubernetes.io/component': 'operator', chart: chartLabel, release, heritage: 'Helm' } },
    type: 'kubernetes.io/storageos',
    data: { username: Buffer.from(str(values, 'cluster', 'admin', 'username')).toString('base64'), password: Buffer.from(password).toString('base64') },
  } as KubernetesObject);
  const spec: Values = {
    secretRefName: str(values, 'cluster', 'secretRefName'),
    disableTelemetry: at(values, 'cluster', 'disableTelemetry') === true,
    storageClassName: str(values, 'cluster', 'storageClassName'),
    kvBackend: {
      address: required(values, 'storageoscluster_cr.yaml): kv backend address must be set', 'cluster', 'kvBackend', 'address'),
      backend: str(values, 'cluster', 'kvBackend', 'backend'),
    },
    resources: at(values, 'cluster', 'resources') ?? {},
    metrics: { enabled: at(values, 'cluster', 'metricsExporter', 'enabled') === true },
  };
  if (str(values, 'k8sDistro')) spec.k8sDistro = str(values, 'k8sDistro');
  if (str(values, 'cluster', 'sharedDir')) spec.sharedDir = str(values, 'cluster', 'sharedDir');
  if (str(values, 'cluster', 'kvBackend', 'tlsSecretName')) spec.tlsEtcdSecretRefName = str(values, 'cluster', 'kvBackend', 'tlsSecretName');
  if (str(values, 'cluster', 'kvBackend', 'tlsSecretNamespace')) spec.tlsEtcdSecretRefNamespace = str(values, 'cluster', 'kvBackend', 'tlsSecretNamespace');
  if (str(values, 'cluster', 'nodeSelectorTerm', 'key')) {
    spec.nodeSelectorTerms = [{ matchExpressions: [{ key: str(values, 'cluster', 'nodeSelectorTerm', 'key'), operator: 'In', values: [str(values, 'cluster', 'nodeSelectorTerm', 'value')] }] }];
  }
  if (str(values, 'cluster', 'toleration', 'key')) {
    spec.tolerations = [{ key: str(values, 'cluster', 'toleration', 'key'), operator: 'Equal', value: str(values, 'cluster', 'toleration', 'value'), effect: 'NoSchedule' }];
  }
  objects.push({ apiVersion: 'storageos.com/v1', kind: 'StorageOSCluster', metadata: { name: str(values, 'cluster', 'name'), namespace: ns }, spec } as KubernetesObject);
  return objects;
}
