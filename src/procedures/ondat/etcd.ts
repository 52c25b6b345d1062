// Where the etcd Ondat uses lives, and the objects there that a downgrade must leave exactly as they are.
import type { JsonObject } from '../../core/json';
import type { EtcdFact, EtcdObjectFact, StorageOSClusterFact } from './facts';
import { num, str } from './kube-json';

export interface EtcdInputs {
  etcdClusters: readonly JsonObject[];
  deployments: readonly JsonObject[];
  statefulSets: readonly JsonObject[];
  claims: readonly JsonObject[];
}

/** `storageos-etcd.storageos-etcd:2379` → `storageos-etcd` (the namespace of an in-cluster Service address). */
export function namespaceOfEndpoint(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const first = address.split(',')[0]?.trim().replace(/^[a-z]+:\/\//, '') ?? '';
  const host = first.replace(/:\d+$/, '');
  const parts = host.split('.');
  if (parts.length === 2 || (parts.length >= 3 && parts[2] === 'svc')) return parts[1];
  return undefined;
}

function fact(o: JsonObject, apiVersion: string, kind: string): EtcdObjectFact {
  const generation = num(o, 'metadata', 'generation');
  return {
    apiVersion,
    kind,
    namespace: str(o, 'metadata', 'namespace') ?? '',
    name: str(o, 'metadata', 'name') ?? '',
    uid: str(o, 'metadata', 'uid') ?? '',
    ...(generation !== undefined ? { generation } : {}),
  };
}

export function findEtcd(cluster: StorageOSClusterFact | undefined, inputs: EtcdInputs): EtcdFact {
  const endpoints = cluster?.kvBackendAddress;
  const fromCluster = inputs.etcdClusters.map((e) => str(e, 'metadata', 'namespace')).find((n): n is string => n !== undefined);
  const fromOperator = inputs.deployments
    .filter((d) => (str(d, 'metadata', 'name') ?? '').startsWith('storageos-etcd'))
    .map((d) => str(d, 'metadata', 'namespace'))
    .find((n): n is string => n !== undefined);
  const namespace = namespaceOfEndpoint(endpoints) ?? fromCluster ?? fromOperator;
  if (namespace === undefined) return { ...(endpoints ? { endpoints } : {}), objects: [] };
  const inNs = (o: JsonObject): boolean => str(o, 'metadata', 'namespace') === namespace;
  const objects: EtcdObjectFact[] = [
    ...inputs.etcdClusters.filter(inNs).map((o) => fact(o, 'etcd.improbable.io/v1alpha1', 'EtcdCluster')),
    ...inputs.deployments.filter(inNs).map((o) => fact(o, 'apps/v1', 'Deployment')),
    ...inputs.statefulSets.filter(inNs).map((o) => fact(o, 'apps/v1', 'StatefulSet')),
    ...inputs.claims.filter(inNs).map((o) => fact(o, 'v1', 'PersistentVolumeClaim')),
  ];
  objects.sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
  return { namespace, ...(endpoints ? { endpoints } : {}), objects };
}
