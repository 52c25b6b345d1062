// A fake CSI external provisioner: for every claim the PV controller hands to one of `provisioners` (annotation
// volume.beta.kubernetes.io/storage-provisioner), it creates a matching PersistentVolume bound to that claim, so
// that the real PV controller binds them and pods with Ondat volumes get scheduled as in a real cluster.
import { CoreV1Api, KubeConfig, V1PersistentVolumeClaim, Watch } from '@kubernetes/client-node';

const PROVISIONER_ANNOTATION = 'volume.beta.kubernetes.io/storage-provisioner';

export class FakeProvisioner {
  private readonly core: CoreV1Api;
  private readonly kc: KubeConfig;
  private readonly done = new Set<string>();
  private stopped = false;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    kubeconfig: string,
    context: string,
    private readonly provisioners: string[],
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.kc = new KubeConfig();
    this.kc.loadFromFile(kubeconfig);
    this.kc.setCurrentContext(context);
    this.core = this.kc.makeApiClient(CoreV1Api);
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    await this.loop?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    for (let round = 0; !this.stopped; round++) {
      try {
        await new Promise<void>((resolve) => {
          void new Watch(this.kc)
            .watch('/api/v1/persistentvolumeclaims', {}, (type: string, pvc: V1PersistentVolumeClaim) => {
              if (type === 'ADDED' || type === 'MODIFIED') void this.provision(pvc);
            }, () => resolve())
            .then((ctl) => {
              this.abort = ctl;
              if (this.stopped) ctl.abort();
            })
            .catch(() => resolve());
        });
      } catch (err) {
        this.log(`fake provisioner: ${String(err)}`);
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** Math.min(round, 3), 2000)));
    }
  }

  private async provision(pvc: V1PersistentVolumeClaim): Promise<void> {
    const provisioner = pvc.metadata?.annotations?.[PROVISIONER_ANNOTATION];
    const uid = pvc.metadata?.uid;
    if (!uid || !provisioner || !this.provisioners.includes(provisioner) || pvc.spec?.volumeName || this.done.has(uid)) return;
    this.done.add(uid);
    const name = `pvc-${uid}`;
    try {
      await this.core.createPersistentVolume({
        body: {
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': provisioner } },
          spec: {
            capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' },
            accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
            persistentVolumeReclaimPolicy: 'Delete',
            storageClassName: pvc.spec?.storageClassName,
            volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
            claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata?.namespace, name: pvc.metadata?.name, uid },
            csi: { driver: provisioner, volumeHandle: uid, fsType: 'ext4' },
          },
        },
      });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) {
        this.done.delete(uid);
        this.log(`fake provisioner: ${name}: ${String(err)}`);
      }
    }
  }
}
