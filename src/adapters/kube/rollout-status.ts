// One look at a DaemonSet's rollout, as the downgrade waits on it: every pod's state per node, the script's own
// test (numberReady == desiredNumberScheduled > 0, for the current generation), and failing init containers, which
// never fix themselves by waiting and so end the wait at once.
import { podState } from './pod-state';
import type { KubeEvent, KubeObject, Pod } from './types';

export interface DaemonSetJson extends KubeObject {
  spec?: { selector?: { matchLabels?: Record<string, string> } };
  status?: { numberReady?: number; desiredNumberScheduled?: number; observedGeneration?: number };
}

export interface InitFailure {
  node: string;
  pod: string;
  container: string;
  reason: string;
  exitCode?: number;
}

export interface RolloutReport {
  lines: string[];
  failures: InitFailure[];
  /** With a node: its pod is Ready. Without: the whole DaemonSet is. */
  done: boolean;
}

export function podStateWord(pod: Pod): string {
  const s = podState(pod);
  if (s.health === 'ready') return 'Ready';
  if (s.health === 'running') return s.problem ? s.problem.reason : 'Running';
  if (s.health === 'terminating') return 'Terminating';
  if (s.problem?.init) return `Init:${s.problem.reason}`;
  if (s.health === 'initializing') {
    const running = (pod.status?.initContainerStatuses ?? []).some((c) => c.state?.running);
    return running ? 'Init:Running' : 'Pending';
  }
  return s.health === 'failed' ? 'Failed' : 'Pending';
}

/** Pods the DaemonSet owns (by uid), sorted by node. */
export function ownedPods(ds: DaemonSetJson, pods: Pod[]): Pod[] {
  const uid = ds.metadata?.uid;
  return pods
    .filter((p) => p.metadata?.ownerReferences?.some((o) => o.uid === uid && o.controller))
    .sort((a, b) => (a.spec?.nodeName ?? '').localeCompare(b.spec?.nodeName ?? ''));
}

/**
 * Warning events that mean the rollout cannot finish by waiting, whatever else looks fine: pods the DaemonSet
 * controller cannot create (FailedCreate: a missing ServiceAccount, PodSecurity, a quota), pods that cannot be
 * placed (FailedScheduling), volumes that cannot be mounted (FailedMount, e.g. hostPath type Directory on a node
 * without the folder), images that cannot be pulled (Failed / ErrImagePull). Only events of this DaemonSet (by
 * uid) and of its current pods count: those of an earlier DaemonSet of the same name say nothing about this one.
 */
export interface EventFailure {
  node: string;
  /** The pod, or the DaemonSet itself for FailedCreate. */
  object: string;
  reason: string;
  message: string;
  count: number;
}

const POD_FAILURE_REASONS = new Set(['FailedMount', 'FailedScheduling', 'FailedAttachVolume', 'Failed', 'ErrImagePull', 'ImagePullBackOff', 'InspectFailed', 'ErrImageNeverPull']);

export function eventFailures(ds: DaemonSetJson, pods: Pod[], events: KubeEvent[], node?: string): EventFailure[] {
  const out: EventFailure[] = [];
  const dsUid = ds.metadata?.uid;
  const owned = new Map(ownedPods(ds, pods).map((p) => [p.metadata?.uid ?? '', p]));
  for (const e of events) {
    if (e.type !== 'Warning') continue;
    const io = e.involvedObject;
    const base = { reason: e.reason ?? '', message: (e.message ?? '').replace(/\s+/g, ' ').trim(), count: e.count ?? 1 };
    if (io.kind === 'DaemonSet' && io.uid === dsUid && e.reason === 'FailedCreate') {
      out.push({ node: '(none: no pod was created)', object: `DaemonSet/${ds.metadata?.name}`, ...base });
    } else if (io.kind === 'Pod' && io.uid !== undefined && owned.has(io.uid) && POD_FAILURE_REASONS.has(e.reason ?? '')) {
      const pod = owned.get(io.uid) as Pod;
      // The scheduler retries a pod it failed to place or bind (e.g. while kube-apiserver restarts); once the pod is
      // bound to a node, an earlier FailedScheduling is history, not a reason the rollout cannot finish.
      if (e.reason === 'FailedScheduling' && pod.spec?.nodeName !== undefined) continue;
      const podNode = pod.spec?.nodeName ?? '(unscheduled)';
      if (node !== undefined && pod.spec?.nodeName !== undefined && podNode !== node) continue;
      out.push({ node: podNode, object: `Pod/${pod.metadata?.name}`, ...base });
    }
  }
  // One line per object and reason: the latest text, the total count.
  const seen = new Map<string, EventFailure>();
  for (const f of out) {
    const key = `${f.object}|${f.reason}`;
    const prev = seen.get(key);
    seen.set(key, prev ? { ...f, count: prev.count + f.count } : f);
  }
  return [...seen.values()];
}

export function rolloutReport(ds: DaemonSetJson, pods: Pod[], node?: string): RolloutReport {
  const lines: string[] = [];
  const failures: InitFailure[] = [];
  let nodeReady = false;
  for (const pod of ownedPods(ds, pods)) {
    const podNode = pod.spec?.nodeName ?? '(unscheduled)';
    if (node !== undefined && podNode !== node) continue;
    const word = podStateWord(pod);
    lines.push(`node=${podNode} pod=${pod.metadata?.name} state=${word}`);
    if (word === 'Ready') nodeReady = true;
    const problem = podState(pod).problem;
    // A failing init container, or a main container that cannot start (image pull, config): neither fixes itself.
    if (problem) {
      failures.push({ node: podNode, pod: pod.metadata?.name ?? '', container: problem.container, reason: problem.reason, exitCode: problem.exitCode });
    }
  }
  const ready = ds.status?.numberReady ?? 0;
  const desired = ds.status?.desiredNumberScheduled ?? 0;
  lines.push(`ready=${ready}/${desired}`);
  const current = (ds.status?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 0);
  const done = node !== undefined ? nodeReady : current && desired > 0 && ready === desired;
  return { lines, failures, done };
}
