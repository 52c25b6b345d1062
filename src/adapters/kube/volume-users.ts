// Which pods mount a volume of a given provisioner (e.g. csi.storageos.com): what the Ondat prerequisites check
// must find before anything is uninstalled. The three lists are independent, so they are fetched concurrently.
import type { KubeClient, CallOptions } from './client';
import { Resources } from './resources';
import type { PersistentVolumeClaim, Pod, StorageClass } from './types';

export interface VolumeUser {
  namespace: string;
  pod: string;
  claim: string;
  storageClass: string;
}

/** Pure part: pods whose PVCs belong to a StorageClass of `provisioner`. */
export function findVolumeUsers(provisioner: string, classes: StorageClass[], claims: PersistentVolumeClaim[], pods: Pod[]): VolumeUser[] {
  const ofProvisioner = new Set(classes.filter((c) => c.provisioner === provisioner).map((c) => c.metadata?.name ?? ''));
  const claimClass = new Map<string, string>();
  for (const c of claims) {
    const sc = c.spec?.storageClassName;
    if (sc && ofProvisioner.has(sc)) claimClass.set(`${c.metadata?.namespace}/${c.metadata?.name}`, sc);
  }
  const users: VolumeUser[] = [];
  for (const p of pods) {
    const ns = p.metadata?.namespace ?? '';
    for (const v of p.spec?.volumes ?? []) {
      const claim = v.persistentVolumeClaim?.claimName;
      const sc = claim ? claimClass.get(`${ns}/${claim}`) : undefined;
      if (claim && sc) users.push({ namespace: ns, pod: p.metadata?.name ?? '', claim, storageClass: sc });
    }
  }
  return users;
}

export async function volumeUsers(client: KubeClient, provisioner: string, options: CallOptions & { pageSize?: number } = {}): Promise<VolumeUser[]> {
  const all = { signal: options.signal, timeoutMs: options.timeoutMs, pageSize: options.pageSize };
  const [classes, claims, pods] = await Promise.all([
    client.list<StorageClass>(Resources.storageClasses, all),
    client.list<PersistentVolumeClaim>(Resources.persistentVolumeClaims, all),
    client.list<Pod>(Resources.pods, all),
  ]);
  return findVolumeUsers(provisioner, classes.items, claims.items, pods.items);
}
