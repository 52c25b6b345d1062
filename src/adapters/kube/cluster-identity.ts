// The check a destructive kube action makes right before it acts: does its context still lead to the cluster the
// plan was made for? A context's name proves nothing (kubeadm calls every cluster's kubernetes-admin@kubernetes, and a
// kubeconfig can be edited between plan and run); namespace kube-system's uid, which the API server gives each
// cluster once and never changes, does. Used by run-tool and create-or-adopt.
import type { ExecutionResult } from '../../core/ports';
import type { KubeClient } from './client';
import { Resources } from './resources';
import type { KubeObject } from './types';

/** undefined when the context leads to the cluster with `expectedUid`; else the refusal, already printed. */
export async function clusterChanged(client: KubeClient, context: string, server: string, expectedUid: string, out: (text: string) => void, signal: AbortSignal): Promise<ExecutionResult | undefined> {
  const ns = await client.find<KubeObject>(Resources.namespaces, 'kube-system', { signal });
  const uid = ns?.metadata?.uid;
  if (uid === expectedUid) {
    out(`context ${context} still leads to the planned cluster (kube-system uid ${uid})`);
    return undefined;
  }
  out(`CONTEXT ${context} now leads to another cluster (${server}): namespace kube-system has uid ${uid ?? '(none)'}, the plan was made for ${expectedUid}`);
  return {
    exitCode: 1,
    detail: `context ${context} leads to another cluster than the one planned for (${server}: kube-system uid ${uid ?? 'none'} ≠ ${expectedUid}); nothing was changed. Check the kubeconfig's context, then plan again`,
  };
}
