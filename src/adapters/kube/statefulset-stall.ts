// Why a StatefulSet scaled down does not lose its pods. With podManagementPolicy OrderedReady (the default) the
// controller removes pods one at a time from the highest ordinal, and removes none while a lower pod is not Running
// and Ready (Kubernetes, "StatefulSet: Deployment and Scaling Guarantees"). After a node outage that leaves pods not
// ready, a scale to zero therefore waits for ever; the Ondat prerequisites wait would only time out without saying
// why. This names the pod that blocks and what to do.
import type { KubeObject, Pod } from './types';

export interface StatefulSetJson extends KubeObject {
  spec?: { replicas?: number; podManagementPolicy?: string };
}

export interface StatefulSetStall {
  namespace: string;
  statefulSet: string;
  replicas: number;
  /** The pod the controller would remove next. */
  next: string;
  /** The pod that is not Running and Ready and holds it back. */
  blockedBy: string;
  /** Every pod of the set above the wanted count, highest ordinal first. */
  condemned: string[];
}

function ordinal(pod: Pod, set: string): number | undefined {
  const name = pod.metadata?.name ?? '';
  if (!name.startsWith(`${set}-`)) return undefined;
  const n = Number(name.slice(set.length + 1));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function ownedBy(pod: Pod, set: StatefulSetJson): boolean {
  const uid = set.metadata?.uid;
  return (pod.metadata?.ownerReferences ?? []).some((o) => o.kind === 'StatefulSet' && (uid ? o.uid === uid : o.name === set.metadata?.name));
}

function runningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** The StatefulSets among `sets` whose scale-down cannot progress, as the controller decides it (pure). */
export function stalledScaleDowns(sets: readonly StatefulSetJson[], pods: readonly Pod[]): StatefulSetStall[] {
  const stalls: StatefulSetStall[] = [];
  for (const set of sets) {
    if (set.spec?.podManagementPolicy === 'Parallel') continue;
    const name = set.metadata?.name ?? '';
    const namespace = set.metadata?.namespace ?? '';
    const replicas = set.spec?.replicas ?? 1;
    const members = pods
      .filter((p) => p.metadata?.namespace === namespace && ownedBy(p, set))
      .map((p) => ({ pod: p, n: ordinal(p, name) }))
      .filter((m): m is { pod: Pod; n: number } => m.n !== undefined)
      .sort((a, b) => a.n - b.n);
    const condemned = members.filter((m) => m.n >= replicas).reverse();
    const next = condemned[0];
    // Nothing to remove, or the next removal is already under way.
    if (!next || next.pod.metadata?.deletionTimestamp) continue;
    const firstUnhealthy = members.find((m) => m.pod.metadata?.deletionTimestamp || !runningAndReady(m.pod));
    if (runningAndReady(next.pod) || !firstUnhealthy || firstUnhealthy === next) continue;
    stalls.push({
      namespace,
      statefulSet: name,
      replicas,
      next: next.pod.metadata?.name ?? '',
      blockedBy: firstUnhealthy.pod.metadata?.name ?? '',
      condemned: condemned.map((m) => m.pod.metadata?.name ?? ''),
    });
  }
  return stalls;
}

/** One line a user can act on, with the kubectl command spelled out for the context. */
export function describeStall(s: StatefulSetStall, context: string): string {
  return (
    `StatefulSet ${s.namespace}/${s.statefulSet} is scaled to ${s.replicas} but keeps ${s.condemned.join(', ')}: with ` +
    `podManagementPolicy OrderedReady the controller removes ${s.next} only once ${s.blockedBy} is Running and Ready ` +
    `(e.g. pods left not ready by a node outage). Make the pods healthy, or, once their data is safe, delete them: ` +
    `kubectl --context ${context} -n ${s.namespace} delete pod ${s.condemned.join(' ')}`
  );
}
