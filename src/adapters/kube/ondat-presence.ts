// Which Ondat runs on a cluster, for the Targets view: the StorageOSClusters in any namespace and the version their
// node image says. Read-only; a cluster without the CRD has no Ondat.
import { parseImage, versionOfTag } from '../../core/image-ref';
import type { KubeClient } from './client';
import { KubeNotFoundError } from './errors';
import { Resources } from './resources';
import type { KubeObject } from './types';

export type OndatPresence =
  | { installed: false }
  | { installed: true; clusters: Array<{ namespace: string; name: string; version?: string; phase?: string }> };

interface StorageOSCluster extends KubeObject {
  spec?: { images?: { nodeContainer?: string } };
  status?: { phase?: string };
}

export async function ondatPresence(client: KubeClient, signal?: AbortSignal): Promise<OndatPresence> {
  let items: StorageOSCluster[];
  try {
    items = (await client.list<StorageOSCluster>(Resources.storageOSClusters, { ...(signal ? { signal } : {}) })).items;
  } catch (err) {
    if (err instanceof KubeNotFoundError) return { installed: false };
    throw err;
  }
  if (items.length === 0) return { installed: false };
  return {
    installed: true,
    clusters: items.map((c) => {
      const image = c.spec?.images?.nodeContainer;
      const version = image ? versionOfTag(parseImage(image).tag) : undefined;
      return {
        namespace: c.metadata?.namespace ?? '',
        name: c.metadata?.name ?? '',
        ...(version ? { version } : {}),
        ...(c.status?.phase ? { phase: c.status.phase } : {}),
      };
    }),
  };
}
