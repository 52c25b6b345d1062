// Resource types the procedures use, described once (group, version, plural, scope), and the REST paths to them.
// Custom resources (StorageOSCluster, EtcdCluster) are described the same way; no discovery round trip is needed.

export interface ResourceType {
  group: string;
  version: string;
  /** Lower-case plural as in the URL, e.g. "daemonsets". */
  plural: string;
  kind: string;
  namespaced: boolean;
}

function rt(group: string, version: string, plural: string, kind: string, namespaced = true): ResourceType {
  return { group, version, plural, kind, namespaced };
}

export const Resources = {
  namespaces: rt('', 'v1', 'namespaces', 'Namespace', false),
  nodes: rt('', 'v1', 'nodes', 'Node', false),
  pods: rt('', 'v1', 'pods', 'Pod'),
  events: rt('', 'v1', 'events', 'Event'),
  services: rt('', 'v1', 'services', 'Service'),
  serviceAccounts: rt('', 'v1', 'serviceaccounts', 'ServiceAccount'),
  secrets: rt('', 'v1', 'secrets', 'Secret'),
  configMaps: rt('', 'v1', 'configmaps', 'ConfigMap'),
  persistentVolumeClaims: rt('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim'),
  persistentVolumes: rt('', 'v1', 'persistentvolumes', 'PersistentVolume', false),
  deployments: rt('apps', 'v1', 'deployments', 'Deployment'),
  daemonSets: rt('apps', 'v1', 'daemonsets', 'DaemonSet'),
  statefulSets: rt('apps', 'v1', 'statefulsets', 'StatefulSet'),
  replicaSets: rt('apps', 'v1', 'replicasets', 'ReplicaSet'),
  storageClasses: rt('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false),
  customResourceDefinitions: rt('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false),
  storageOSClusters: rt('storageos.com', 'v1', 'storageosclusters', 'StorageOSCluster'),
  etcdClusters: rt('etcd.improbable.io', 'v1alpha1', 'etcdclusters', 'EtcdCluster'),
} as const;

/** "daemonsets.apps", "pods": how kubectl and RBAC messages name a resource. */
export function resourceName(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** The collection or object path; `namespace` undefined on a namespaced type means all namespaces. */
export function resourcePath(type: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  const prefix = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  const ns = type.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const obj = name !== undefined ? `/${encodeURIComponent(name)}` : '';
  const sub = subresource && name !== undefined ? `/${subresource}` : '';
  return `${prefix}${ns}/${type.plural}${obj}${sub}`;
}

/** Finds the type for an object's apiVersion and kind among the known ones. */
export function resourceTypeOf(apiVersion: string, kind: string): ResourceType | undefined {
  return Object.values(Resources).find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
}
