// Which workloads keep Ondat volumes in use: pods mounting a PVC whose StorageClass has provisioner
// csi.storageos.com, traced to the controller that owns them (ReplicaSet → Deployment, StatefulSet, ...), with the
// replica count the last step of the run restores.
import type { JsonObject } from '../../core/json';
import type { WorkloadFact, WorkloadKind } from './facts';
import { arr, at, num, str } from './kube-json';

export interface VolumeInputs {
  storageClasses: readonly JsonObject[];
  claims: readonly JsonObject[];
  pods: readonly JsonObject[];
  replicaSets: readonly JsonObject[];
  deployments: readonly JsonObject[];
  statefulSets: readonly JsonObject[];
}

interface Owner {
  apiVersion: string;
  kind: string;
  name: string;
}

function controllerOf(obj: JsonObject): Owner | undefined {
  for (const ref of arr(obj, 'metadata', 'ownerReferences')) {
    if (at(ref, 'controller') === true) {
      const kind = str(ref, 'kind');
      const name = str(ref, 'name');
      const apiVersion = str(ref, 'apiVersion');
      if (kind && name && apiVersion) return { apiVersion, kind, name };
    }
  }
  return undefined;
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function index(objs: readonly JsonObject[]): Map<string, JsonObject> {
  const m = new Map<string, JsonObject>();
  for (const o of objs) m.set(key(str(o, 'metadata', 'namespace') ?? '', str(o, 'metadata', 'name') ?? ''), o);
  return m;
}

// Kinds Backout scales through the scale subresource (and whose replica count it read, to restore it).
const SCALABLE: ReadonlySet<WorkloadKind> = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

function kindOf(kind: string): WorkloadKind {
  const known: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Job', 'Pod'];
  return (known as readonly string[]).includes(kind) ? (kind as WorkloadKind) : 'other';
}

/** The workloads whose pods mount volumes of `provisioner`, one entry per workload, sorted by namespace and name. */
export function workloadsUsingVolumes(provisioner: string, inputs: VolumeInputs): WorkloadFact[] {
  const classes = new Set(inputs.storageClasses.filter((c) => str(c, 'provisioner') === provisioner).map((c) => str(c, 'metadata', 'name') ?? ''));
  const ondatClaims = new Set(
    inputs.claims.filter((c) => classes.has(str(c, 'spec', 'storageClassName') ?? '')).map((c) => key(str(c, 'metadata', 'namespace') ?? '', str(c, 'metadata', 'name') ?? '')),
  );
  const replicaSets = index(inputs.replicaSets);
  const deployments = index(inputs.deployments);
  const statefulSets = index(inputs.statefulSets);
  const byWorkload = new Map<string, WorkloadFact>();

  for (const pod of inputs.pods) {
    const namespace = str(pod, 'metadata', 'namespace') ?? '';
    const podName = str(pod, 'metadata', 'name') ?? '';
    // A pod that has ended holds no volume attachment.
    const phase = str(pod, 'status', 'phase');
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const claims = arr(pod, 'spec', 'volumes')
      .map((v) => str(v, 'persistentVolumeClaim', 'claimName'))
      .filter((c): c is string => c !== undefined && ondatClaims.has(key(namespace, c)));
    if (claims.length === 0) continue;

    let owner: Owner = { apiVersion: 'v1', kind: 'Pod', name: podName };
    const direct = controllerOf(pod);
    if (direct) {
      owner = direct;
      if (direct.kind === 'ReplicaSet') {
        const rs = replicaSets.get(key(namespace, direct.name));
        const up = rs ? controllerOf(rs) : undefined;
        if (up) owner = up;
      }
    }
    const kind = kindOf(owner.kind);
    const k = `${kind}/${key(namespace, owner.name)}`;
    let w = byWorkload.get(k);
    if (!w) {
      const source = kind === 'Deployment' ? deployments.get(key(namespace, owner.name)) : kind === 'StatefulSet' ? statefulSets.get(key(namespace, owner.name)) : kind === 'ReplicaSet' ? replicaSets.get(key(namespace, owner.name)) : undefined;
      const replicas = source ? (num(source, 'spec', 'replicas') ?? 1) : undefined;
      w = {
        namespace,
        name: owner.name,
        kind,
        apiVersion: owner.apiVersion,
        ...(replicas !== undefined ? { replicas } : {}),
        scalable: SCALABLE.has(kind) && source !== undefined,
        pods: [],
        claims: [],
      };
      byWorkload.set(k, w);
    }
    w.pods.push(podName);
    for (const c of claims) if (!w.claims.includes(c)) w.claims.push(c);
  }
  return [...byWorkload.values()].sort((a, b) => `${a.namespace}/${a.kind}/${a.name}`.localeCompare(`${b.namespace}/${b.kind}/${b.name}`));
}

/** "StatefulSet shop/shop-db (2 replicas; pods shop-db-0, shop-db-1; claims data-shop-db-0, ...)". */
export function describeWorkload(w: WorkloadFact): string {
  const replicas = w.replicas !== undefined ? `${w.replicas} replica${w.replicas === 1 ? '' : 's'}; ` : '';
  return `${w.kind} ${w.namespace}/${w.name} (${replicas}pods ${w.pods.join(', ')}; claims ${w.claims.join(', ')})`;
}
