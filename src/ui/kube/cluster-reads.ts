// Read-only looks at a cluster for the UI (the Targets view, choices in Start Rollback), on the kubeconfig the
// extension uses: one client per call, closed after it; the adapter's timeouts bound each request.
import { loadKube, type KubeAdapter } from '../../adapters/lazy';
import type { KubeClient } from '../../adapters/kube/client';
import type { KubeObject } from '../../adapters/kube/types';
import type { OndatPresence } from '../../adapters/kube/ondat-presence';
import { kubeconfigSetting } from '../settings';

async function withClient<T>(context: string, read: (client: KubeClient, kube: KubeAdapter) => Promise<T>): Promise<T> {
  const kube = await loadKube();
  const pool = new kube.KubeClientPool(kube.loadKubeconfig(kube.kubeconfigFiles({ setting: kubeconfigSetting() })));
  try {
    return await read(pool.get(context), kube);
  } finally {
    pool.close();
  }
}

export interface ClusterNamespace {
  name: string;
  /** Active, or Terminating: a namespace being deleted is no place for a release or a DaemonSet. */
  phase?: string;
}

/** The namespaces of the context's cluster, by name. */
export function clusterNamespaces(context: string): Promise<ClusterNamespace[]> {
  return withClient(context, async (client, kube) => {
    const list = await client.list<KubeObject & { status?: { phase?: string } }>(kube.Resources.namespaces);
    return list.items
      .map((n) => ({ name: n.metadata?.name ?? '', ...(n.status?.phase ? { phase: n.status.phase } : {}) }))
      .filter((n) => n.name !== '')
      .sort((a, b) => a.name.localeCompare(b.name));
  });
}

/** Which Ondat runs on the context's cluster (its StorageOSClusters and their versions). */
export function ondatOnCluster(context: string): Promise<OndatPresence> {
  return withClient(context, (client, kube) => kube.ondatPresence(client));
}
