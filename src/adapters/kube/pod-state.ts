// What a pod is doing, summarised the way `kubectl get pods` shows it (Init:Error, Init:CrashLoopBackOff,
// Init:1/2, ContainerCreating, Running, ...), plus the facts a wait needs to fail early instead of looping forever.
import type { ContainerStatusJson, Pod } from './types';

export type PodHealth = 'pending' | 'initializing' | 'running' | 'ready' | 'succeeded' | 'failed' | 'terminating';

export interface ContainerProblem {
  container: string;
  init: boolean;
  /** Error, CrashLoopBackOff, ImagePullBackOff, ErrImagePull, OOMKilled, CreateContainerConfigError, ... */
  reason: string;
  exitCode?: number;
  restartCount: number;
  message?: string;
}

export interface PodState {
  name: string;
  namespace: string;
  node?: string;
  /** kubectl's STATUS column. */
  status: string;
  health: PodHealth;
  ready: boolean;
  /** "1/2": ready containers / all containers. */
  readyContainers: string;
  restarts: number;
  /** Set when a container failed in a way that will not fix itself by waiting. */
  problem?: ContainerProblem;
}

/** Waiting reasons that mean the container is failing, not just starting. */
const FAILING_WAITING = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

function problemOf(s: ContainerStatusJson, init: boolean): ContainerProblem | undefined {
  const waiting = s.state?.waiting;
  if (waiting?.reason && FAILING_WAITING.has(waiting.reason)) {
    return {
      container: s.name, init, reason: waiting.reason, restartCount: s.restartCount, message: waiting.message,
      exitCode: s.lastState?.terminated?.exitCode,
    };
  }
  const terminated = s.state?.terminated;
  if (terminated && terminated.exitCode !== 0) {
    return {
      container: s.name, init, reason: terminated.reason ?? (terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`),
      exitCode: terminated.exitCode, restartCount: s.restartCount, message: terminated.message,
    };
  }
  return undefined;
}

export function podState(pod: Pod): PodState {
  const spec = pod.spec;
  const status = pod.status ?? {};
  const inits = status.initContainerStatuses ?? [];
  const mains = status.containerStatuses ?? [];
  const total = spec?.containers.length ?? mains.length;
  const readyCount = mains.filter((c) => c.ready).length;
  const restarts = [...inits, ...mains].reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const readyCondition = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const base = {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    node: spec?.nodeName,
    readyContainers: `${readyCount}/${total}`,
    restarts,
  };

  if (pod.metadata?.deletionTimestamp) return { ...base, status: 'Terminating', health: 'terminating', ready: false };
  if (status.phase === 'Succeeded') return { ...base, status: status.reason ?? 'Completed', health: 'succeeded', ready: false };

  // Init containers first, as the kubelet runs them: the first one not completed decides.
  const initCount = spec?.initContainers?.length ?? inits.length;
  for (let i = 0; i < inits.length; i++) {
    const s = inits[i];
    if (s.state?.terminated?.exitCode === 0) continue;
    const problem = problemOf(s, true);
    if (problem) {
      return { ...base, status: `Init:${problem.reason}`, health: status.phase === 'Failed' ? 'failed' : 'initializing', ready: false, problem };
    }
    const reason = s.state?.waiting?.reason;
    const shown = reason && reason !== 'PodInitializing' ? `Init:${reason}` : `Init:${i}/${initCount}`;
    return { ...base, status: shown, health: 'initializing', ready: false };
  }

  for (const s of mains) {
    const problem = problemOf(s, false);
    if (problem) return { ...base, status: problem.reason, health: status.phase === 'Failed' ? 'failed' : 'running', ready: false, problem };
  }
  if (status.phase === 'Failed') return { ...base, status: status.reason ?? 'Failed', health: 'failed', ready: false };

  const waiting = mains.find((c) => c.state?.waiting?.reason)?.state?.waiting?.reason;
  if (status.phase === 'Running') {
    const ready = readyCondition && readyCount === total;
    return { ...base, status: 'Running', health: ready ? 'ready' : 'running', ready };
  }
  if (!spec?.nodeName) return { ...base, status: 'Pending', health: 'pending', ready: false };
  return { ...base, status: waiting ?? 'Pending', health: 'pending', ready: false };
}
