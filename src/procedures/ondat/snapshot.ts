// From the lists discovery read to the facts the planner decides on. Pure, so every naming variant and every odd
// cluster can be tested with plain objects.
import type { HelmReleaseRevision } from '../../core/helm-release';
import type { JsonObject } from '../../core/json';
import { findEtcd } from './etcd';
import type { NodeDaemonSetFact, NodeFact, NodePodFact, OndatFacts, StorageOSClusterFact, ToolFact } from './facts';
import { isNodeImage } from './image';
import { arr, at, matchesLabels, str, stringMap } from './kube-json';
import { NODE_POD_LABELS, ONDAT_PROVISIONER } from './names';
import { findOperators } from './operators';
import { workloadsUsingVolumes } from './workloads';

/** Everything discovery lists, all namespaces. `storageOSClusters` is undefined when the kind is not served. */
export interface ClusterSnapshot {
  storageOSClusters?: JsonObject[];
  etcdClusters?: JsonObject[];
  deployments: JsonObject[];
  daemonSets: JsonObject[];
  statefulSets: JsonObject[];
  replicaSets: JsonObject[];
  pods: JsonObject[];
  claims: JsonObject[];
  storageClasses: JsonObject[];
  nodes: JsonObject[];
  /** Every ServiceAccount; undefined when not read. */
  serviceAccounts?: JsonObject[];
}

function clusterFact(o: JsonObject): StorageOSClusterFact {
  const namespace = str(o, 'metadata', 'namespace') ?? '';
  const secretName = str(o, 'spec', 'secretRefName');
  const tlsName = str(o, 'spec', 'tlsEtcdSecretRefName');
  const specNodeImage = str(o, 'spec', 'images', 'nodeContainer');
  const phase = str(o, 'status', 'phase');
  const ready = str(o, 'status', 'ready');
  const kv = str(o, 'spec', 'kvBackend', 'address');
  return {
    namespace,
    name: str(o, 'metadata', 'name') ?? '',
    uid: str(o, 'metadata', 'uid') ?? '',
    ...(specNodeImage ? { specNodeImage } : {}),
    ...(phase ? { phase } : {}),
    ...(ready ? { ready } : {}),
    ...(secretName ? { secretRef: { namespace: str(o, 'spec', 'secretRefNamespace') ?? namespace, name: secretName } } : {}),
    ...(kv ? { kvBackendAddress: kv } : {}),
    ...(tlsName ? { etcdTlsSecretRef: { namespace: str(o, 'spec', 'tlsEtcdSecretRefNamespace') ?? namespace, name: tlsName } } : {}),
    object: o,
  };
}

function containerImages(podSpecOwner: JsonObject, ...path: string[]): string[] {
  return arr(podSpecOwner, ...path, 'containers')
    .map((c) => str(c, 'image'))
    .filter((i): i is string => i !== undefined);
}

function nodeDaemonSets(daemonSets: readonly JsonObject[]): NodeDaemonSetFact[] {
  const out: NodeDaemonSetFact[] = [];
  for (const d of daemonSets) {
    const image = containerImages(d, 'spec', 'template', 'spec').find(isNodeImage);
    if (!image) continue;
    out.push({
      namespace: str(d, 'metadata', 'namespace') ?? '',
      name: str(d, 'metadata', 'name') ?? '',
      uid: str(d, 'metadata', 'uid') ?? '',
      image,
      selector: stringMap(d, 'spec', 'selector', 'matchLabels'),
    });
  }
  return out;
}

function nodePods(pods: readonly JsonObject[], selectors: ReadonlyArray<Record<string, string>>): NodePodFact[] {
  const out: NodePodFact[] = [];
  for (const p of pods) {
    const labels = stringMap(p, 'metadata', 'labels');
    const image = containerImages(p, 'spec').find(isNodeImage);
    if (!image) continue;
    if (!selectors.some((s) => matchesLabels(labels, s)) && !matchesLabels(labels, NODE_POD_LABELS)) continue;
    const node = str(p, 'spec', 'nodeName');
    const phase = str(p, 'status', 'phase');
    out.push({ namespace: str(p, 'metadata', 'namespace') ?? '', name: str(p, 'metadata', 'name') ?? '', image, ...(node ? { node } : {}), ...(phase ? { phase } : {}) });
  }
  return out.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

function nodeFacts(nodes: readonly JsonObject[]): NodeFact[] {
  return nodes
    .map((n) => ({
      name: str(n, 'metadata', 'name') ?? '',
      labels: stringMap(n, 'metadata', 'labels'),
      unschedulable: at(n, 'spec', 'unschedulable') === true,
      taints: arr(n, 'spec', 'taints').map((t) => {
        const value = str(t, 'value');
        return { key: str(t, 'key') ?? '', ...(value !== undefined ? { value } : {}), effect: str(t, 'effect') ?? '' };
      }),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface SnapshotExtras {
  tools: ToolFact[];
  clusterUid?: string;
  helmReleases?: HelmReleaseRevision[];
  manifests?: { file: string; text: string };
}

export function factsFromSnapshot(context: string, snap: ClusterSnapshot, extras: SnapshotExtras): OndatFacts {
  const clusters = (snap.storageOSClusters ?? []).map(clusterFact).sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  const dsFacts = nodeDaemonSets(snap.daemonSets);
  return {
    status: 'discovered',
    context,
    crdServed: snap.storageOSClusters !== undefined,
    clusters,
    nodeDaemonSets: dsFacts,
    nodePods: nodePods(snap.pods, dsFacts.map((d) => d.selector)),
    operators: findOperators(snap.deployments),
    etcd: findEtcd(clusters[0], {
      etcdClusters: snap.etcdClusters ?? [],
      deployments: snap.deployments,
      statefulSets: snap.statefulSets,
      claims: snap.claims,
    }),
    workloads: workloadsUsingVolumes(ONDAT_PROVISIONER, {
      storageClasses: snap.storageClasses,
      claims: snap.claims,
      pods: snap.pods,
      replicaSets: snap.replicaSets,
      deployments: snap.deployments,
      statefulSets: snap.statefulSets,
    }),
    nodes: nodeFacts(snap.nodes),
    ...(snap.serviceAccounts ? { serviceAccounts: snap.serviceAccounts.map((s) => `${str(s, 'metadata', 'namespace') ?? ''}/${str(s, 'metadata', 'name') ?? ''}`).sort() } : {}),
    tools: extras.tools,
    ...(extras.clusterUid !== undefined ? { clusterUid: extras.clusterUid } : {}),
    helmReleases: extras.helmReleases ?? [],
    ...(extras.manifests ? { manifests: extras.manifests } : {}),
  };
}
