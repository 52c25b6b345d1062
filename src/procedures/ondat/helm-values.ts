// The values file for `helm upgrade --install <release> ondat/ondat-operator`: the saved StorageOSCluster expressed
// in the chart's values (ondat/charts charts/ondat-operator/values.yaml and templates/storageoscluster_cr.yaml), or
// the list of what the chart cannot express. The chart renders the CR and the admin Secret itself (cluster.create),
// and removes on upgrade whatever its previous revision rendered and this one does not, so the release must keep
// rendering them: the CR from these values, the Secret from the admin credentials.
import type { JsonObject, JsonValue } from '../../core/json';
import { arr, isObject, str } from './kube-json';

/** Spec fields the chart's template renders from values (images come from the chart version itself). */
const CARRIED = ['secretRefName', 'storageClassName', 'k8sDistro', 'sharedDir', 'disableTelemetry', 'kvBackend', 'tlsEtcdSecretRefName', 'tlsEtcdSecretRefNamespace', 'resources', 'nodeSelectorTerms', 'tolerations', 'images', 'metrics'];

export interface HelmValues {
  values: JsonObject;
  /** Parts of the saved spec the chart cannot render: installing with Helm would drop them. */
  lost: string[];
}

function single<T extends JsonValue>(list: JsonValue[], pick: (x: JsonValue) => T | undefined): T | undefined {
  return list.length === 1 ? pick(list[0] as JsonValue) : undefined;
}

export function helmValues(saved: JsonObject, adminUsername: string, passwordPlaceholder: string): HelmValues {
  const spec = isObject(saved.spec) ? saved.spec : {};
  const lost: string[] = [];
  for (const k of Object.keys(spec)) if (!CARRIED.includes(k)) lost.push(`spec.${k}`);
  const namespace = str(saved, 'metadata', 'namespace') ?? 'storageos';
  const cluster: JsonObject = {
    create: true,
    name: str(saved, 'metadata', 'name') ?? 'storageos',
    namespace,
    secretRefName: str(spec, 'secretRefName') ?? 'storageos-api',
    storageClassName: str(spec, 'storageClassName') ?? 'storageos',
    admin: { username: adminUsername, password: passwordPlaceholder },
    kvBackend: {
      address: str(spec, 'kvBackend', 'address') ?? '',
      backend: str(spec, 'kvBackend', 'backend') ?? 'etcd',
      // The chart defaults to a TLS Secret; an install without TLS must say so with empty values.
      tlsSecretName: str(spec, 'tlsEtcdSecretRefName') ?? '',
      tlsSecretNamespace: str(spec, 'tlsEtcdSecretRefNamespace') ?? (str(spec, 'tlsEtcdSecretRefName') ? namespace : ''),
    },
    resources: isObject(spec.resources) ? spec.resources : {},
    disableTelemetry: spec.disableTelemetry === true,
  };
  const sharedDir = str(spec, 'sharedDir');
  if (sharedDir) cluster.sharedDir = sharedDir;
  if (isObject(spec.metrics) && spec.metrics.enabled === true) cluster.metricsExporter = { enabled: true };

  // The template renders one nodeSelectorTerm (one `In` expression with one value) and one NoSchedule toleration.
  const terms = arr(spec, 'nodeSelectorTerms');
  if (terms.length > 0) {
    const expr = single(terms, (t) => single(arr(t, 'matchExpressions'), (e) => (str(e, 'operator') === 'In' && arr(e, 'values').length === 1 ? (e as JsonObject) : undefined)));
    if (expr) cluster.nodeSelectorTerm = { key: str(expr, 'key') ?? '', value: String(arr(expr, 'values')[0]) };
    else lost.push(`spec.nodeSelectorTerms ${JSON.stringify(terms)} (the chart renders one term with one "In" value)`);
  }
  const tolerations = arr(spec, 'tolerations');
  if (tolerations.length > 0) {
    const t = single(tolerations, (x) => (str(x, 'operator') === 'Equal' && str(x, 'effect') === 'NoSchedule' ? (x as JsonObject) : undefined));
    if (t) cluster.toleration = { key: str(t, 'key') ?? '', value: str(t, 'value') ?? '' };
    else lost.push(`spec.tolerations ${JSON.stringify(tolerations)} (the chart renders one "Equal" NoSchedule toleration)`);
  }
  const values: JsonObject = { cluster };
  const distro = str(spec, 'k8sDistro');
  if (distro) values.k8sDistro = distro;
  return { values, lost };
}
