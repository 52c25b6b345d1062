// One look at a DaemonSet's rollout, as the downgrade waits on it: every pod's state per node, the script's own
// test (numberReady == desiredNumberScheduled > 0, for the current generation), and failing init containers, which
// never fix themselves by waiting and so end the wait at once.
import { podState } from './pod-state';
import type { KubeObject, Pod } from './types';

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
    if (problem?.init) {
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
