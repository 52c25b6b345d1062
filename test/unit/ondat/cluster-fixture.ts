// A cluster snapshot as discovery would read it after the controllers ran: the lab's Ondat 2.7.0 objects (in any of
// the three namings) plus uids, nodes, node pods, ReplicaSets and the workloads' pods.
import type { HelmReleaseRevision } from '../../../src/core/helm-release';
import type { JsonObject } from '../../../src/core/json';
import { releaseRevision } from '../../../src/adapters/kube/helm-release';
import type { ClusterSnapshot } from '../../../src/procedures/ondat/snapshot';
import { ondatInstall } from '../../../lab/kube/fixtures/ondat';
import { ondatNaming, type OndatVariant } from '../../../lab/kube/fixtures/naming';

export interface FixtureOptions {
  variant?: OndatVariant;
  nodes?: string[];
  nodeImage?: string;
  /** Whether the sample workloads' pods are running (they use Ondat volumes). */
  workloadsRunning?: boolean;
}

let counter = 0;
function uid(): string {
  counter++;
  return `00000000-0000-0000-0000-${String(counter).padStart(12, '0')}`;
}

function meta(o: JsonObject): JsonObject {
  return (o.metadata ?? {}) as JsonObject;
}

export function clusterSnapshot(o: FixtureOptions = {}): ClusterSnapshot {
  const naming = ondatNaming(o.variant ?? 'current');
  const nodes = o.nodes ?? ['node-1', 'node-2', 'node-3'];
  const objects = ondatInstall(naming).map((x) => JSON.parse(JSON.stringify(x)) as JsonObject);
  for (const x of objects) {
    meta(x).uid = uid();
    meta(x).generation = 1;
  }
  const byKind = (kind: string): JsonObject[] => objects.filter((x) => x.kind === kind);
  const image = o.nodeImage ?? 'storageos/node:v2.7.0';
  for (const x of byKind('StorageOSCluster')) {
    ((x.spec as JsonObject).images as JsonObject).nodeContainer = image;
    x.status = { phase: 'Running', ready: `${nodes.length}/${nodes.length}` };
  }
  for (const ds of byKind('DaemonSet')) {
    const spec = ((ds.spec as JsonObject).template as JsonObject).spec as JsonObject;
    (spec.containers as JsonObject[])[0]!.image = image;
  }
  const pods: JsonObject[] = nodes.map((n, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `storageos-node-${i}`, namespace: naming.clusterNamespace, uid: uid(), labels: { app: 'storageos', 'app.kubernetes.io/component': 'control-plane' } },
    spec: { nodeName: n, containers: [{ name: 'storageos', image }] },
    status: { phase: 'Running' },
  }));
  const replicaSets: JsonObject[] = [];
  if (o.workloadsRunning !== false) {
    replicaSets.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'shop-web-5d8f', namespace: 'shop', uid: uid(), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-web', uid: 'x', controller: true }] },
      spec: { replicas: 1 },
    });
    pods.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'shop-web-5d8f-abcde', namespace: 'shop', uid: uid(), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'shop-web-5d8f', uid: 'y', controller: true }] },
      spec: { nodeName: nodes[0], containers: [{ name: 'web', image: 'nginx:1.23' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'web-data' } }] },
      status: { phase: 'Running' },
    });
    for (const i of [0, 1]) {
      pods.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `shop-db-${i}`, namespace: 'shop', uid: uid(), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'shop-db', uid: 'z', controller: true }] },
        spec: { nodeName: nodes[i % nodes.length], containers: [{ name: 'db', image: 'postgres:14' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `data-shop-db-${i}` } }] },
        status: { phase: 'Running' },
      });
    }
  }
  const claims = byKind('PersistentVolumeClaim');
  for (const i of [0, 1]) {
    claims.push({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `data-shop-db-${i}`, namespace: 'shop', uid: uid() }, spec: { storageClassName: 'storageos' } });
  }
  return {
    storageOSClusters: byKind('StorageOSCluster'),
    etcdClusters: byKind('EtcdCluster'),
    deployments: byKind('Deployment'),
    daemonSets: byKind('DaemonSet'),
    statefulSets: byKind('StatefulSet'),
    replicaSets,
    pods,
    claims,
    storageClasses: byKind('StorageClass'),
    nodes: nodes.map((n) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: n, uid: uid(), labels: { 'kubernetes.io/hostname': n } }, spec: {} })),
    // As in a kubeadm cluster: `default` in every namespace; the controllers' own accounts in kube-system only.
    serviceAccounts: [...new Set(['kube-system', 'default', ...objects.filter((x) => x.kind === 'Namespace').map((x) => String(meta(x).name))])]
      .map((ns) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } }) as JsonObject)
      .concat([{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'daemon-set-controller', namespace: 'kube-system' } }]),
  };
}

/** The Helm release revisions of a fixture install, read from its release Secrets as the kube executor reads them. */
export function helmRevisions(variant: OndatVariant = 'current'): HelmReleaseRevision[] {
  return ondatInstall(ondatNaming(variant))
    .filter((o) => o.kind === 'Secret' && o.type === 'helm.sh/release.v1')
    .map((o) => releaseRevision(JSON.parse(JSON.stringify(o)) as Parameters<typeof releaseRevision>[0]))
    .filter((r): r is HelmReleaseRevision => typeof r !== 'string');
}
